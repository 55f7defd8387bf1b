// Generated beside compiled-schemas.generated.cjs by apps/token-api/scripts/compile-schemas.ts.
declare const compiled: import('../http/compiled-schemas.ts').CompiledSchemaModule;
export = compiled;
