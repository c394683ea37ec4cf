// What the Lambda bundles get for `node:http` (BUILTIN_ALIASES, infra/constructs/upgrader-function.ts):
// the builtin itself, without the ESM import that would run all its lazy getters at cold start.
module.exports = process.getBuiltinModule('node:http');
