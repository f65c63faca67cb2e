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
  function haystack(run) {
    var parts = [run.id, run.sessionId, run.input || '', run.answer || '', run.stopReason || '', run.failed ? 'failed error' : ''];
    if (run.failure) parts.push(run.failure.code, run.failure.reason);
    for (var i = 0; i < run.steps.length; i++) parts.push(toolNames(run.steps[i]));
    return parts.join(' ').toLowerCase();
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
    var status = run.failed ? el('span', 'badge err', 'failed') : !run.complete ? el('span', 'badge warn', 'incomplete') :
      el('span', 'badge' + (run.stopReason === 'end_turn' ? ' ok' : ' warn'), run.stopReason);
    var failedSteps = run.steps.filter(function (s) { return s.failed; }).length;
    var badges = add(el('span'), failedSteps && !run.failed ? el('span', 'badge err', failedSteps + ' failed step' + (failedSteps === 1 ? '' : 's')) : null, document.createTextNode(' '), status);
    add(item, add(el('div', 'r1'), el('span', 'rid', run.id.slice(0, 18)), badges));
    add(item, el('div', 'r2', run.steps.length + (run.steps.length === 1 ? ' step · ' : ' steps · ') + ms(run.end - run.start) + ' · ' + new Date(run.start).toLocaleString() + ' · ' + (run.input || '')));
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
    function pos(t) { return Math.max(0, Math.min(100, ((t - run.start) / span) * 100)); }
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
    var stats = el('div', 'stats');
    function stat(id, value, label) { var s = el('div', 'stat'); var b = el('b', null, value); b.id = id; add(s, b, el('span', null, label)); return s; }
    add(stats,
      stat('stat-steps', run.steps.length, 'steps'),
      stat('stat-tokens', num(run.inputTokens) + ' / ' + num(run.outputTokens), 'tokens in / out'),
      stat('stat-cost', usd(run.costUsd), 'cost'),
      stat('stat-wall', ms(run.end - run.start), 'wall time'),
      stat('stat-stop', run.failed ? 'failed' : run.complete ? run.stopReason : 'incomplete', 'outcome'));
    add(header, stats);
    if (run.failure) add(header, el('div', 'failure', 'Failed: ' + run.failure.code + ': ' + run.failure.reason));
    if (run.answer) add(header, el('div', 'answer', 'Answer: ' + run.answer));
    add(main, header);

    var legend = el('div', 'legend');
    function key(color, text) { var s = el('span'); var i = el('i'); i.style.background = color; add(s, i, document.createTextNode(text)); return s; }
    add(legend, key('var(--step)', 'step'), key('var(--model)', 'model call'), key('var(--tool)', 'tool call'), key('var(--err)', 'failed'));
    add(main, legend);
    var axis = el('div', 'axis');
    var ticks = el('div', 'ticks');
    for (var t = 0; t <= 4; t++) { var tick = el('span', null, ms((span * t) / 4)); tick.style.left = (t * 25) + '%'; if (t === 4) tick.style.transform = 'translateX(-100%)'; if (t === 0) tick.style.transform = 'none'; add(ticks, tick); }
    add(axis, el('div'), ticks);
    add(main, axis);

    var box = el('div', 'steps');
    box.id = 'steps';
    add(main, box);
    if (run.steps.length === 0) add(box, el('div', 'empty', 'No steps recorded.'));
    var drawn = 0;
    var sentinel = el('div', 'more');
    function drawMore() {
      var end = Math.min(run.steps.length, drawn + CHUNK);
      for (; drawn < end; drawn++) box.insertBefore(stepNode(run.steps[drawn]), sentinel.parentNode === box ? sentinel : null);
      if (drawn < run.steps.length) { sentinel.textContent = 'Showing ' + drawn + ' of ' + run.steps.length + ' steps; scroll for more'; add(box, sentinel); }
      else if (sentinel.parentNode) sentinel.remove();
    }
    if ('IntersectionObserver' in window) {
      var observer = new IntersectionObserver(function (entries) { if (entries[0].isIntersecting && selected === run) drawMore(); }, { root: main, rootMargin: '400px' });
      observer.observe(sentinel);
    }
    sentinel.addEventListener('click', drawMore);
    drawMore();

    function stepNode(step) {
      var node = el('div', 'step' + (step.failed ? ' failed' : ''));
      node.setAttribute('data-step', step.index);
      var row = el('button', 'step-row');
      row.type = 'button';
      row.setAttribute('aria-expanded', 'false');
      var label = el('div', 'label');
      var caret = el('span', 'caret', '▸');
      add(label, caret, document.createTextNode('Step ' + (step.index + 1) + ' '));
      if (step.failed) add(label, el('span', 'mark', '✖ '));
      if (step.retries.length) add(label, el('span', 'badge warn', step.retries.length + ' retr' + (step.retries.length === 1 ? 'y' : 'ies')));
      add(label, el('span', 'names', ' ' + (toolNames(step) || (step.answer !== null ? 'answer' : ''))));
      label.title = 'Step ' + (step.index + 1) + ' ' + toolNames(step);
      var track = el('div', 'track');
      add(track, bar('step-bar', step.start, step.end, 'step ' + (step.index + 1) + ': ' + ms(step.end - step.start)));
      step.calls.forEach(function (c) { add(track, bar('model' + (c.error ? ' err' : ''), c.start, c.end, 'model call, attempt ' + c.attempt + ': ' + ms((c.end || run.end) - c.start) + (c.error ? ' — ' + c.error : ''))); });
      step.tools.forEach(function (tc) { add(track, bar('tool' + (tc.status === 'error' ? ' err' : ''), tc.start, tc.end, tc.name + ': ' + ms((tc.end || run.end) - tc.start) + ' ' + tc.status)); });
      add(row, label, track);
      add(node, row);
      var detail = null;
      row.addEventListener('click', function () {
        if (!detail) { detail = stepDetail(step); add(node, detail); }
        else detail.hidden = !detail.hidden;
        var open = !detail.hidden;
        row.setAttribute('aria-expanded', String(open));
        caret.textContent = open ? '▾' : '▸';
      });
      return node;
    }

    function stepDetail(step) {
      var d = el('div', 'detail');
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
        var title = el('h4', null, tc.name + ' · ' + tc.status + ' · ' + ms((tc.end || run.end) - tc.start) + ' ');
        if (tc.id) add(title, el('span', 'id', tc.id));
        add(box, title);
        add(box, el('div', 'muted', 'input'), el('pre', 'tool-input', pretty(tc.input)));
        add(box, el('div', 'muted', tc.status === 'error' ? 'error' : 'output'), el('pre', 'tool-output' + (tc.status === 'error' ? ' err' : ''), tc.output === null ? '(no output recorded)' : pretty(tc.output)));
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
