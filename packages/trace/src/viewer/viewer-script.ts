/**
 * The viewer's script, inlined into the page. Plain browser JavaScript. Every piece of trace data goes
 * into the page through `textContent` or attribute setters, never as HTML, because trace contents
 * (tool outputs, model text) are untrusted. Long lists render lazily: the run list draws only the rows
 * in view, and a run's steps are drawn in chunks as they scroll into view, their details on first open.
 */
export const VIEWER_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var runs = data.runs.slice().reverse();
  var ROW = 56, CHUNK = 50;
  var app = document.getElementById('app');
  app.textContent = '';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) { for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]); return parent; }
  function ms(n) { if (n === null || n === undefined) return '?'; return n >= 10000 ? (n / 1000).toFixed(1) + ' s' : Math.round(n) + ' ms'; }
  function usd(n) { return n === null || n === undefined ? 'unknown' : '$' + n.toFixed(6); }
  function num(n) { return (n || 0).toLocaleString('en-US'); }
  function pretty(value) {
    if (typeof value === 'string') {
      var t = value.trim();
      if (t.charAt(0) === '{' || t.charAt(0) === '[') { try { return JSON.stringify(JSON.parse(t), null, 2); } catch (e) { return value; } }
      return value;
    }
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }
  function toolNames(step) { return step.tools.map(function (t) { return t.name; }).join(', '); }
  function short(id) { return String(id || '').slice(0, 8); }
  // A call inside a paused collaborator is named by its path: billing/refund_order.
  function callPath(c) { return (c.collaborator || []).concat([c.name]).join('/'); }
  // Every collaborator run under a run (nested ones too), each once.
  function collaboratorsOf(run) {
    var out = [];
    run.steps.forEach(function (s) { s.tools.forEach(function (t) { if (t.collaborator) { out.push(t.collaborator); out = out.concat(collaboratorsOf(t.collaborator)); } }); });
    run.collaborators.forEach(function (c) { out.push(c); out = out.concat(collaboratorsOf(c)); });
    return out;
  }
  function haystack(run) {
    var parts = [run.id, run.sessionId, run.input || '', run.answer || '', run.stopReason || '', run.failed ? 'failed error' : ''];
    if (run.failure) parts.push(run.failure.code, run.failure.reason);
    if (run.routing) parts.push('routing', run.routing.route || '', run.routing.model || '');
    if (run.waiting) parts.push('paused waiting');
    if (run.pauses.length) parts.push('resumed');
    for (var i = 0; i < run.steps.length; i++) parts.push(toolNames(run.steps[i]));
    collaboratorsOf(run).forEach(function (c) { parts.push(c.id, c.collaboratorName || '', c.model || ''); c.steps.forEach(function (s) { parts.push(toolNames(s)); }); });
    return parts.join(' ').toLowerCase();
  }
  function outcome(run) {
    if (run.failed) return 'failed';
    if (run.waiting) return run.stopReason === 'needs_approval' ? 'waiting for approval' : 'waiting on the application';
    return run.complete ? run.stopReason : 'incomplete';
  }
  for (var i = 0; i < runs.length; i++) runs[i]._search = haystack(runs[i]);

  // ---- run list (windowed) ----
  var aside = el('aside');
  add(aside, el('h1', null, 'novaloop trace'), el('div', 'file', data.title));
  var search = el('input');
  search.type = 'search';
  search.id = 'search';
  search.placeholder = 'Search runs: id, session, question, answer, tool, error';
  add(aside, search);
  var count = el('div', 'count');
  count.id = 'run-count';
  add(aside, count);
  if (data.skipped.length > 0) {
    var torn = data.skipped.filter(function (s) { return s.reason === 'torn'; }).length;
    add(aside, el('div', 'skipped', data.skipped.length + ' unreadable line' + (data.skipped.length === 1 ? '' : 's') + ' skipped' +
      (torn ? ' (a torn last line: its writer stopped mid-write)' : '') + ': line ' + data.skipped.map(function (s) { return s.line; }).join(', ')));
  }
  var list = el('div');
  list.id = 'run-list';
  var spacer = el('div');
  add(list, spacer);
  add(aside, list);
  var main = el('main');
  main.id = 'run';
  add(app, aside, main);

  var shown = runs;
  var selected = null;
  function filter() {
    var q = search.value.trim().toLowerCase();
    var words = q ? q.split(/\s+/) : [];
    shown = words.length === 0 ? runs : runs.filter(function (run) { return words.every(function (w) { return run._search.indexOf(w) >= 0; }); });
    count.textContent = shown.length + ' of ' + runs.length + ' run' + (runs.length === 1 ? '' : 's');
    spacer.style.height = shown.length * ROW + 'px';
    list.scrollTop = 0;
    drawList();
  }
  function drawList() {
    var first = Math.max(0, Math.floor(list.scrollTop / ROW) - 5);
    var last = Math.min(shown.length, first + Math.ceil((list.clientHeight || 800) / ROW) + 10);
    var rows = list.querySelectorAll('.run-item');
    for (var r = 0; r < rows.length; r++) rows[r].remove();
    for (var i = first; i < last; i++) add(list, runItem(shown[i], i));
  }
  function runItem(run, index) {
    var item = el('button', 'run-item' + (run === selected ? ' selected' : ''));
    item.type = 'button';
    item.style.top = index * ROW + 'px';
    item.setAttribute('data-run-id', run.id);
    var status = run.failed ? el('span', 'badge err', 'failed') : run.waiting ? el('span', 'badge warn paused', 'paused') : !run.complete ? el('span', 'badge warn', 'incomplete') :
      el('span', 'badge' + (run.stopReason === 'end_turn' ? ' ok' : ' warn'), run.stopReason);
    var failedSteps = run.steps.filter(function (s) { return s.failed; }).length;
    var resumes = run.pauses.filter(function (p) { return p.resumedAt !== null; }).length;
    var badges = add(el('span'), failedSteps && !run.failed ? el('span', 'badge err', failedSteps + ' failed step' + (failedSteps === 1 ? '' : 's')) : null,
      resumes ? el('span', 'badge resumed', 'resumed' + (resumes > 1 ? ' ×' + resumes : '')) : null, document.createTextNode(' '), status);
    add(item, add(el('div', 'r1'), el('span', 'rid', run.id.slice(0, 18)), badges));
    var collaborators = collaboratorsOf(run).length;
    add(item, el('div', 'r2', run.steps.length + (run.steps.length === 1 ? ' step · ' : ' steps · ') + (collaborators ? collaborators + ' collaborator run' + (collaborators === 1 ? '' : 's') + ' · ' : '') +
      ms(run.end - run.start) + ' · ' + new Date(run.start).toLocaleString() + ' · ' + (run.input || '')));
    item.addEventListener('click', function () { select(run); });
    return item;
  }
  list.addEventListener('scroll', function () { window.requestAnimationFrame(drawList); });
  search.addEventListener('input', filter);

  // ---- one run: header and waterfall ----
  function select(run) {
    selected = run;
    drawList();
    main.textContent = '';
    main.scrollTop = 0;
    var span = Math.max(1, run.end - run.start);
    // A resumed run may wait hours on the application: each long wait gets a fixed sliver of the axis.
    var GAP = 4;
    var gaps = run.pauses.filter(function (p) { return p.resumedAt !== null && p.resumedAt - p.at > span * 0.1; })
      .map(function (p) { return { from: p.at, to: p.resumedAt }; });
    var active = Math.max(1, span - gaps.reduce(function (sum, g) { return sum + (g.to - g.from); }, 0));
    var scale = (100 - GAP * gaps.length) / active;
    function pos(t) {
      var x = 0, from = run.start;
      for (var i = 0; i < gaps.length; i++) {
        var g = gaps[i];
        if (t <= g.from) break;
        x += (g.from - from) * scale;
        if (t < g.to) return Math.max(0, Math.min(100, x + GAP * (t - g.from) / (g.to - g.from)));
        x += GAP;
        from = g.to;
      }
      return Math.max(0, Math.min(100, x + (t - from) * scale));
    }
    // The time at p percent of the axis (for the tick labels).
    function at(p) {
      var x = 0, from = run.start;
      for (var i = 0; i < gaps.length; i++) {
        var g = gaps[i], w = (g.from - from) * scale;
        if (p <= x + w) break;
        x += w;
        if (p <= x + GAP) return g.from + (g.to - g.from) * (p - x) / GAP;
        x += GAP;
        from = g.to;
      }
      return from + (p - x) / scale;
    }
    function bar(cls, start, end, title) {
      var b = el('div', 'bar ' + cls);
      var left = pos(start);
      b.style.left = left + '%';
      b.style.width = Math.max(0.15, pos(end === null || end === undefined ? run.end : end) - left) + '%';
      b.title = title;
      return b;
    }

    var header = el('div', 'run-header');
    header.id = 'run-header';
    add(header, el('h2', null, run.id));
    add(header, el('div', 'muted', 'session ' + run.sessionId + (run.model ? ' · ' + run.model : '') + ' · ' + new Date(run.start).toISOString()));
    if (run.input) add(header, el('div', 'q', 'User: ' + run.input));
    if (run.routing) {
      var r = run.routing;
      var routed = el('div', 'routing-summary', 'Routed to ' + (r.route || '?') + ' → ' + (r.model || '?') + ' (' + (r.source || '?') + (r.reason ? ': ' + r.reason : '') + ')' +
        (r.classifierModel ? ' by ' + r.classifierModel + ', ' + num(r.inputTokens) + ' in / ' + num(r.outputTokens) + ' out tokens, ' + usd(r.costUsd) + ', ' + ms(r.latencyMs) : ''));
      routed.id = 'routing-summary';
      add(header, routed);
    }
    if (run.waiting) {
      var p = run.pauses[run.pauses.length - 1];
      var w = el('div', 'waiting', 'Paused: waiting on the application to ' + (p.stopReason === 'needs_approval' ? 'approve or deny ' : 'run ') +
        p.calls.map(callPath).join(', ') + ' (invocation ' + p.invocationId + ')');
      w.id = 'waiting';
      add(header, w);
    }
    var stats = el('div', 'stats');
    function stat(id, value, label) { var s = el('div', 'stat'); var b = el('b', null, value); b.id = id; add(s, b, el('span', null, label)); return s; }
    add(stats,
      stat('stat-steps', run.steps.length, 'steps'),
      stat('stat-tokens', num(run.inputTokens) + ' / ' + num(run.outputTokens), 'tokens in / out'),
      stat('stat-cost', usd(run.costUsd), 'cost'),
      stat('stat-wall', ms(run.end - run.start), 'wall time'),
      stat('stat-stop', outcome(run), 'outcome'));
    add(header, stats);
    if (run.usageByModel && run.usageByModel.length) {
      var models = el('table', 'by-model');
      models.id = 'by-model';
      add(models, add(el('tr'), el('th', null, 'model'), el('th', null, 'tokens in / out'), el('th', null, 'cost')));
      run.usageByModel.forEach(function (m) {
        var tr = add(el('tr'), el('td', 'model-id', m.model), el('td', null, num(m.inputTokens) + ' / ' + num(m.outputTokens)), el('td', null, usd(m.costUsd)));
        tr.setAttribute('data-model', m.model);
        add(models, tr);
      });
      add(header, add(el('div', 'by-model-box'), el('div', 'muted', 'by model (collaborators and routing included)'), models));
    }
    if (run.failure) add(header, el('div', 'failure', 'Failed: ' + run.failure.code + ': ' + run.failure.reason));
    if (run.answer) add(header, el('div', 'answer', 'Answer: ' + run.answer));
    add(main, header);

    var legend = el('div', 'legend');
    function key(color, text) { var s = el('span'); var i = el('i'); i.style.background = color; add(s, i, document.createTextNode(text)); return s; }
    add(legend, key('var(--step)', 'step'), key('var(--model)', 'model call'), key('var(--tool)', 'tool call'), key('var(--err)', 'failed'));
    if (run.routing) add(legend, key('var(--route)', 'routing'));
    if (run.pauses.length) add(legend, key('var(--wait)', 'waiting on the application'));
    if (collaboratorsOf(run).length) add(legend, key('var(--collab)', 'collaborator run'));
    add(main, legend);
    var axis = el('div', 'axis');
    var ticks = el('div', 'ticks');
    for (var t = 0; t <= 4; t++) { var tick = el('span', null, ms(at(t * 25) - run.start)); tick.style.left = (t * 25) + '%'; if (t === 4) tick.style.transform = 'translateX(-100%)'; if (t === 0) tick.style.transform = 'none'; add(ticks, tick); }
    add(axis, el('div'), ticks);
    add(main, axis);

    var box = el('div', 'steps');
    box.id = 'steps';
    add(main, box);
    if (run.routing) add(box, routingNode(run.routing, 0));
    if (run.steps.length === 0) {
      add(box, el('div', 'empty', 'No steps recorded.'));
      run.collaborators.forEach(function (c) { add(box, collaboratorNode(c, null, 1)); });
    }
    var drawn = 0;
    var sentinel = el('div', 'more');
    function drawMore() {
      var end = Math.min(run.steps.length, drawn + CHUNK);
      for (; drawn < end; drawn++) box.insertBefore(stepGroup(run, run.steps[drawn], 0), sentinel.parentNode === box ? sentinel : null);
      if (drawn < run.steps.length) { sentinel.textContent = 'Showing ' + drawn + ' of ' + run.steps.length + ' steps; scroll for more'; add(box, sentinel); }
      else if (sentinel.parentNode) sentinel.remove();
    }
    if ('IntersectionObserver' in window) {
      var observer = new IntersectionObserver(function (entries) { if (entries[0].isIntersecting && selected === run) drawMore(); }, { root: main, rootMargin: '400px' });
      observer.observe(sentinel);
    }
    sentinel.addEventListener('click', drawMore);
    drawMore();

    function indent(label, depth) { if (depth) label.style.paddingLeft = (10 + depth * 18) + 'px'; return label; }

    // A step, then the pause it ended with (if any), then the collaborator runs its tool calls started.
    function stepGroup(owner, step, depth) {
      var group = el('div', 'step-group');
      add(group, stepNode(owner, step, depth));
      step.tools.forEach(function (tc) { if (tc.collaborator) add(group, collaboratorNode(tc.collaborator, tc, depth + 1)); });
      owner.pauses.forEach(function (p) { if (p.step === step.index) add(group, pauseNode(owner, p, depth)); });
      if (step === owner.steps[owner.steps.length - 1]) owner.collaborators.forEach(function (c) { add(group, collaboratorNode(c, null, depth + 1)); });
      return group;
    }

    function routingNode(r, depth) {
      var node = el('div', 'routing');
      var row = el('button', 'step-row');
      row.type = 'button';
      row.setAttribute('aria-expanded', 'false');
      var label = indent(el('div', 'label'), depth);
      var caret = el('span', 'caret', '▸');
      add(label, caret, document.createTextNode('Routing '), el('span', 'names', (r.route || '?') + ' → ' + (r.model || '?')));
      label.title = 'Routing: ' + (r.route || '?') + ' → ' + (r.model || '?');
      var track = el('div', 'track');
      add(track, bar('route', r.start, r.end, 'routing: ' + ms(r.latencyMs)));
      add(row, label, track);
      add(node, row);
      var detail = null;
      row.addEventListener('click', function () {
        if (!detail) {
          detail = el('div', 'detail');
          var facts = el('table', 'routing-facts');
          function fact(k, v) { if (v === null || v === undefined || v === '') return; var tr = el('tr'); add(tr, el('th', null, k), el('td', null, v)); add(facts, tr); }
          fact('route', r.route);
          fact('model', r.model);
          fact('source', r.source);
          fact('fallback reason', r.reason);
          fact('classifier', r.classifierModel);
          if (r.inputTokens !== null) fact('tokens', num(r.inputTokens) + ' in / ' + num(r.outputTokens) + ' out');
          fact('cost', usd(r.costUsd));
          fact('latency', ms(r.latencyMs));
          if (r.attempts > 1) fact('classifier requests', r.attempts);
          add(detail, facts);
          add(node, detail);
        } else detail.hidden = !detail.hidden;
        row.setAttribute('aria-expanded', String(!detail.hidden));
        caret.textContent = detail.hidden ? '▸' : '▾';
      });
      return node;
    }

    function pauseNode(owner, p, depth) {
      var node = el('div', 'pause' + (p.resumedAt === null ? ' open' : ''));
      node.setAttribute('data-invocation', p.invocationId);
      var row = el('div', 'step-row');
      var label = indent(el('div', 'label'), depth);
      add(label, el('span', 'mark-pause', '‖ '), document.createTextNode(p.stopReason === 'needs_approval' ? 'Waits for approval' : 'Returned control'));
      var track = el('div', 'track');
      add(track, bar('wait', p.at, p.resumedAt === null ? owner.end : p.resumedAt, 'waiting on the application' + (p.resumedAt === null ? '' : ': ' + ms(p.resumedAt - p.at))));
      add(row, label, track);
      add(node, row);
      var what = p.calls.map(function (c) { return callPath(c) + (c.kind === 'approval' ? ' (approval)' : ' (run by the application)'); }).join(', ');
      add(node, el('div', 'pause-text', 'Paused after step ' + (p.step + 1) + ', waiting on the application: ' + what + ' · invocation ' + p.invocationId));
      add(node, el('div', 'pause-text ' + (p.resumedAt === null ? 'still' : 'resumed'), p.resumedAt === null ? 'Not resumed yet.' :
        '▶ Resumed ' + ms(p.resumedAt - p.at) + ' later (same run ' + short(owner.id) + '); the steps below continue it.'));
      return node;
    }

    function collaboratorNode(c, call, depth) {
      var node = el('div', 'collaborator');
      node.setAttribute('data-collaborator', c.collaboratorName || '');
      node.setAttribute('data-run-id', c.id);
      var row = el('button', 'step-row collab-row');
      row.type = 'button';
      row.setAttribute('aria-expanded', 'true');
      var label = indent(el('div', 'label'), depth - 1);
      var caret = el('span', 'caret', '▾');
      add(label, caret, el('span', 'collab-name', '↳ ' + (c.collaboratorName || 'collaborator')), el('span', 'names', ' ' + (c.model || '')));
      label.title = 'collaborator ' + (c.collaboratorName || '') + ' · run ' + c.id;
      var track = el('div', 'track');
      var failed = c.failed || (call && call.status === 'error');
      add(track, bar('collab' + (failed ? ' err' : ''), c.start, call && call.end !== null ? Math.max(c.end, call.end) : c.end, (c.collaboratorName || '') + ': ' + ms(c.end - c.start)));
      add(row, label, track);
      add(node, row);
      var status = c.failed ? 'failed' : c.complete ? c.stopReason : call ? call.status : 'incomplete';
      var facts = el('div', 'collab-facts', [
        'collaborator ' + (c.collaboratorName || '?'),
        c.model || 'model unknown',
        c.steps.length + (c.steps.length === 1 ? ' step' : ' steps'),
        num(c.inputTokens) + ' in / ' + num(c.outputTokens) + ' out tokens',
        c.costUsd === null ? 'cost not recorded (attach the sink to this agent too)' : usd(c.costUsd),
        status,
        'run ' + c.id,
      ].join(' · '));
      indent(facts, depth);
      add(node, facts);
      var inner = el('div', 'collab-steps');
      if (c.routing) add(inner, routingNode(c.routing, depth));
      c.steps.forEach(function (s) { add(inner, stepGroup(c, s, depth)); });
      add(node, inner);
      row.addEventListener('click', function () {
        inner.hidden = !inner.hidden;
        row.setAttribute('aria-expanded', String(!inner.hidden));
        caret.textContent = inner.hidden ? '▸' : '▾';
      });
      return node;
    }

    function stepNode(owner, step, depth) {
      var node = el('div', 'step' + (step.failed ? ' failed' : ''));
      node.setAttribute('data-step', step.index);
      var row = el('button', 'step-row');
      row.type = 'button';
      row.setAttribute('aria-expanded', 'false');
      var label = indent(el('div', 'label'), depth);
      var caret = el('span', 'caret', '▸');
      add(label, caret, document.createTextNode('Step ' + (step.index + 1) + ' '));
      if (step.failed) add(label, el('span', 'mark', '✖ '));
      if (step.retries.length) add(label, el('span', 'badge warn', step.retries.length + ' retr' + (step.retries.length === 1 ? 'y' : 'ies')));
      add(label, el('span', 'names', ' ' + (toolNames(step) || (step.answer !== null ? 'answer' : ''))));
      label.title = 'Step ' + (step.index + 1) + ' ' + toolNames(step);
      var track = el('div', 'track');
      add(track, bar('step-bar', step.start, step.end, 'step ' + (step.index + 1) + ': ' + ms(step.end - step.start)));
      step.calls.forEach(function (c) { add(track, bar('model' + (c.error ? ' err' : ''), c.start, c.end, 'model call, attempt ' + c.attempt + ': ' + ms((c.end || run.end) - c.start) + (c.error ? ' — ' + c.error : ''))); });
      step.tools.forEach(function (tc) {
        if (tc.pausedAt !== null) add(track, bar('wait', tc.pausedAt, tc.resumedAt, tc.name + ': waiting on the application'));
        if (tc.status === 'waiting' || tc.executionType === 'RETURN_CONTROL') return;
        add(track, bar('tool' + (tc.status === 'error' ? ' err' : ''), tc.start, tc.end, tc.name + ': ' + ms((tc.end || run.end) - tc.start) + ' ' + tc.status));
      });
      add(row, label, track);
      add(node, row);
      var detail = null;
      row.addEventListener('click', function () {
        if (!detail) { detail = stepDetail(step, depth); add(node, detail); }
        else detail.hidden = !detail.hidden;
        var open = !detail.hidden;
        row.setAttribute('aria-expanded', String(open));
        caret.textContent = open ? '▾' : '▸';
      });
      return node;
    }

    function stepDetail(step, depth) {
      var d = el('div', 'detail');
      if (depth) d.style.paddingLeft = (24 + depth * 18) + 'px';
      var facts = el('table');
      function fact(k, v) { var tr = el('tr'); add(tr, el('th', null, k), el('td', null, v)); add(facts, tr); }
      fact('time', ms(step.end - step.start) + ' (from +' + ms(step.start - run.start) + ')');
      fact('tokens', num(step.inputTokens) + ' in / ' + num(step.outputTokens) + ' out');
      fact('cost', usd(step.costUsd));
      if (step.model) fact('model', step.model);
      if (step.stopReason) fact('stop reason', step.stopReason);
      add(d, facts);
      if (step.failure) { add(d, el('h4', null, 'Failure')); add(d, el('pre', 'err failure-text', step.failure.code + ': ' + step.failure.reason)); }
      if (step.rationale) { add(d, el('h4', null, 'Rationale')); add(d, el('pre', 'rationale', step.rationale)); }
      if (step.calls.length) {
        add(d, el('h4', null, 'Model calls'));
        var table = el('table', 'calls');
        add(table, add(el('tr'), el('th', null, 'attempt'), el('th', null, 'time'), el('th', null, 'tokens in / out'), el('th', null, 'stop'), el('th', null, 'error')));
        step.calls.forEach(function (c) {
          add(table, add(el('tr'), el('td', null, c.attempt), el('td', null, ms((c.end || run.end) - c.start)),
            el('td', null, c.inputTokens === null ? '' : num(c.inputTokens) + ' / ' + num(c.outputTokens)), el('td', null, c.stopReason || ''), el('td', 'err', c.error || '')));
        });
        add(d, table);
      }
      if (step.retries.length) {
        add(d, el('h4', null, 'Retries'));
        step.retries.forEach(function (r) { add(d, el('div', 'retry', 'attempt ' + r.attempt + ' after ' + ms(r.delayMs) + ' (' + r.reason + '): ' + r.error)); });
      }
      step.tools.forEach(function (tc) {
        var box = el('div', 'tool-call' + (tc.status === 'error' ? ' err' : ''));
        // A call the application ran has no time of its own in the trace: only its wait.
        var timed = tc.status !== 'waiting' && tc.executionType !== 'RETURN_CONTROL';
        var title = el('h4', null, tc.name + ' · ' + tc.status + (timed ? ' · ' + ms((tc.end || run.end) - tc.start) : '') + ' ');
        if (tc.id) add(title, el('span', 'id', tc.id));
        add(box, title);
        if (tc.pausedAt !== null) {
          add(box, el('div', 'pause-note', tc.question ? 'Asked the user: ' + tc.question : 'Handed to the application (return of control)'));
          if (tc.resumedAt !== null) add(box, el('div', 'muted', 'answered by the resumed run after ' + ms(tc.resumedAt - tc.pausedAt)));
        }
        if (tc.kind === 'AGENT_COLLABORATOR') {
          var c = tc.collaborator;
          add(box, el('div', 'collab-note', 'Collaborator ' + (tc.collaboratorName || tc.name) + (c ? ': run ' + c.id + ' on ' + (c.model || '?') + ', ' + c.steps.length + ' steps, ' +
            num(c.inputTokens) + ' in / ' + num(c.outputTokens) + ' out tokens, ' + usd(c.costUsd) + ' (its steps are drawn under this step)' : ': its run is not in this file')));
        }
        add(box, el('div', 'muted', 'input'), el('pre', 'tool-input', pretty(tc.input)));
        add(box, el('div', 'muted', tc.status === 'error' ? 'error' : 'output'), el('pre', 'tool-output' + (tc.status === 'error' ? ' err' : ''), tc.output === null ? (tc.status === 'waiting' ? '(waiting on the application)' : '(no output recorded)') : pretty(tc.output)));
        add(d, box);
      });
      step.reprompts.forEach(function (text) { add(d, el('h4', null, 'Reprompt')); add(d, el('pre', null, text)); });
      if (step.answer !== null) { add(d, el('h4', null, 'Answer')); add(d, el('pre', 'step-answer', step.answer)); }
      if (step.other.length) { add(d, el('h4', null, 'Other trace parts')); step.other.forEach(function (o) { add(d, el('pre', 'other', pretty(o))); }); }
      return d;
    }
  }

  filter();
  if (runs.length > 0) select(runs[0]);
  else main.appendChild(el('div', 'empty', 'This trace file has no runs.'));
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
