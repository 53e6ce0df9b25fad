// Stands in for @colors/colors/safe in the browser build. cli-table3 (used by the report and
// lookup writers the page shares with the CLI) requires it only to colour cells, inside a
// try/catch; fibscope's tables have no colours, so it is never asked, and the real module would
// bring Node's util and os into the bundle.
export {};
