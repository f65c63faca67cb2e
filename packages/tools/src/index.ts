// Public API of this package. Filled in by its own issue; the workspace wiring (exports map, build,
// typecheck) is already exercised so that adding modules here needs no further setup.
export {};
