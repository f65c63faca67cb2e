/** The viewer's stylesheet, inlined into the page. */
export const VIEWER_STYLE = `
:root { --bg:#f7f8fa; --panel:#fff; --line:#e3e6eb; --text:#1d2330; --muted:#6b7383; --model:#3b6fd8; --tool:#1f9d6b; --err:#d23c3c; --warn:#c98a00; --step:#dfe6f3; --sel:#eaf1ff; --route:#8a5cd1; --wait:#e0a526; --collab:#7c8aa5; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--text); background:var(--bg); }
#app { display:grid; grid-template-columns: 320px 1fr; height:100vh; }
aside { border-right:1px solid var(--line); background:var(--panel); display:flex; flex-direction:column; min-height:0; }
aside h1 { font-size:14px; margin:12px 12px 4px; }
aside .file { margin:0 12px 8px; color:var(--muted); word-break:break-all; }
aside input { margin:0 12px 6px; padding:6px 8px; border:1px solid var(--line); border-radius:6px; font:inherit; }
aside .count { margin:0 12px 6px; color:var(--muted); }
.skipped { margin:0 12px 8px; padding:6px 8px; background:#fff6e0; border:1px solid #f0d48a; border-radius:6px; }
#run-list { flex:1; overflow-y:auto; position:relative; min-height:0; }
.run-item { position:absolute; left:0; right:0; height:56px; padding:6px 12px; border-bottom:1px solid var(--line); cursor:pointer; overflow:hidden; background:none; border-left:0; border-right:0; border-top:0; text-align:left; font:inherit; color:inherit; }
.run-item:hover { background:#f3f5f9; }
.run-item.selected { background:var(--sel); }
.run-item .r1 { display:flex; justify-content:space-between; gap:8px; }
.run-item .r2 { color:var(--muted); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.run-item .rid { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:11px; background:#eef0f4; color:var(--muted); }
.badge.err { background:#fde8e8; color:var(--err); }
.badge.ok { background:#e4f5ec; color:var(--tool); }
.badge.warn { background:#fff3d6; color:var(--warn); }
main { overflow-y:auto; padding:16px 20px 40px; min-width:0; }
.run-header h2 { font-size:16px; margin:0 0 4px; font-family:ui-monospace, Menlo, Consolas, monospace; }
.run-header .q { margin:4px 0 10px; }
.stats { display:flex; flex-wrap:wrap; gap:8px; margin:8px 0 12px; }
.stat { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:6px 12px; min-width:96px; }
.stat b { display:block; font-size:15px; }
.stat span { color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.04em; }
.answer, .failure { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:8px 12px; margin:0 0 12px; white-space:pre-wrap; }
.failure { border-color:#f3b8b8; background:#fff5f5; }
.legend { display:flex; gap:14px; color:var(--muted); margin:4px 0 6px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
.axis { display:grid; grid-template-columns: 220px 1fr; font-size:11px; color:var(--muted); }
.axis .ticks { position:relative; height:16px; border-bottom:1px solid var(--line); }
.axis .ticks span { position:absolute; transform:translateX(-50%); white-space:nowrap; }
.steps { background:var(--panel); border:1px solid var(--line); border-radius:8px; }
.step { border-bottom:1px solid var(--line); }
.step:last-child { border-bottom:0; }
.step-row { display:grid; grid-template-columns: 220px 1fr; width:100%; background:none; border:0; padding:0; font:inherit; color:inherit; text-align:left; cursor:pointer; }
.step-row:hover { background:#f6f8fc; }
.step.failed .step-row { background:#fff5f5; }
.steps .label { padding:6px 10px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; border-right:1px solid var(--line); }
.steps .label .caret { display:inline-block; width:12px; color:var(--muted); }
.step .label .mark { color:var(--err); font-weight:bold; }
.steps .label .names { color:var(--muted); }
.track { position:relative; height:30px; }
.bar { position:absolute; height:8px; border-radius:3px; min-width:2px; }
.bar.step-bar { top:4px; height:22px; background:var(--step); opacity:.7; }
.bar.model { top:7px; background:var(--model); }
.bar.model.err { background:var(--err); }
.bar.tool { top:17px; background:var(--tool); }
.bar.tool.err { background:var(--err); }
.detail { padding:10px 14px 14px 24px; background:#fbfcfe; border-top:1px dashed var(--line); }
.detail h4 { margin:10px 0 4px; font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
.detail pre { margin:0; padding:8px; background:var(--panel); border:1px solid var(--line); border-radius:6px; white-space:pre-wrap; word-break:break-word; max-height:360px; overflow:auto; font:12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.detail table { border-collapse:collapse; }
.detail td, .detail th { padding:2px 10px 2px 0; text-align:left; font-weight:normal; }
.detail th { color:var(--muted); }
.detail pre.err, .detail td.err, .detail .retry { color:var(--err); }
.tool-call { border-left:3px solid var(--tool); padding-left:10px; margin:8px 0; }
.tool-call.err { border-left-color:var(--err); }
.tool-call h4 { text-transform:none; letter-spacing:0; font-size:13px; color:var(--text); }
.tool-call h4 .id { color:var(--muted); font-family:ui-monospace, Menlo, Consolas, monospace; font-size:11px; }
.muted { color:var(--muted); }
.badge.resumed { background:#efe6fb; color:var(--route); }
.routing-summary { margin:0 0 10px; padding:6px 10px; border-left:3px solid var(--route); background:var(--panel); }
.waiting { margin:0 0 10px; padding:8px 12px; border:1px solid #f0d48a; background:#fff8e6; border-radius:8px; }
.by-model-box { margin:0 0 12px; }
table.by-model { border-collapse:collapse; background:var(--panel); border:1px solid var(--line); border-radius:6px; }
table.by-model td, table.by-model th { padding:3px 12px 3px 8px; text-align:left; font-weight:normal; }
table.by-model th { color:var(--muted); font-size:11px; text-transform:uppercase; }
table.by-model .model-id { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; }
.routing, .pause, .collaborator { border-bottom:1px solid var(--line); }
.bar.route { top:9px; height:12px; background:var(--route); }
.bar.wait { top:11px; height:8px; background:repeating-linear-gradient(45deg, var(--wait), var(--wait) 4px, #f6dca0 4px, #f6dca0 8px); }
.bar.collab { top:6px; height:18px; background:var(--collab); opacity:.35; }
.bar.collab.err { background:var(--err); }
.pause .step-row { cursor:default; }
.pause-text { padding:2px 10px 6px 10px; color:var(--muted); }
.pause-text.resumed { color:var(--route); }
.pause.open .pause-text.still { color:var(--warn); font-weight:bold; }
.mark-pause { color:var(--warn); }
.collaborator { background:#f9fafc; border-left:3px solid var(--collab); }
.collab-name { font-weight:bold; }
.collab-facts { padding:0 10px 6px 10px; color:var(--muted); font-size:12px; }
.collab-steps .step, .collab-steps .routing { border-bottom:1px dashed var(--line); }
.pause-note, .collab-note { margin:4px 0; padding:4px 8px; background:#fff8e6; border-radius:4px; }
.collab-note { background:#f1f3f8; }
.more { padding:10px; text-align:center; color:var(--muted); }
.empty { color:var(--muted); padding:40px; text-align:center; }
`;
