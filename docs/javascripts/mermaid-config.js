// Loaded right after mermaid.min.js, on the pages that draw a diagram (overrides/main.html).
// mkdocs-material calls mermaid.initialize itself, with its own colours as CSS (themeCSS) and
// 16px text in sequence diagrams. Two additions to what it passes:
// - Two of its rules name mermaid 10's marker ids (#arrowhead, #sequencenumber); mermaid 11
//   prefixes them with the diagram's id, so in the dark scheme a sequence diagram's arrowheads
//   stay mermaid's dark grey on the dark page, and its step numbers white on light grey. The
//   same two rules for the prefixed ids (their colours follow the scheme). Its CSS has nothing
//   for bar charts (page 10's xychart): their axes and text are near-black in both schemes, and
//   their bars pale lavender; coloured here like the other diagrams' text, lines and nodes.
// - Narrower actor boxes and gaps in sequence diagrams (mermaid's are 150px and 50px; a box
//   still grows to fit its name). A diagram wider than the page is shrunk to fit, text and
//   all: narrower diagrams keep their labels readable.
(() => {
  const css =
    '[id$="-arrowhead"] path{fill:var(--md-mermaid-sequence-message-line-color);stroke:none}' +
    '[id$="-sequencenumber"]{fill:var(--md-mermaid-sequence-number-bg-color)!important}' +
    ".chart-title text,.left-axis text,.bottom-axis text{fill:var(--md-mermaid-label-fg-color)!important}" +
    ".left-axis path,.bottom-axis path{stroke:var(--md-mermaid-edge-color)}" +
    '[class^="bar-plot-"] rect{fill:var(--md-mermaid-node-fg-color);stroke:none}';
  const initialize = mermaid.initialize;
  mermaid.initialize = (config) =>
    initialize.call(mermaid, {
      ...config,
      themeCSS: `${config.themeCSS ?? ""}${css}`,
      sequence: { ...config.sequence, width: 100, actorMargin: 30 },
    });
})();
