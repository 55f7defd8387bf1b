// Plain JavaScript on purpose: this runs inside serverless-offline's own Node process (through
// NODE_OPTIONS), which has no TypeScript loader.

/**
 * Keeps a failed asynchronous invoke from killing a serverless-offline process.
 *
 * serverless-offline 14's Lambda Invoke API runs an `InvocationType: Event` invoke (and the old
 * InvokeAsync API) with `lambdaFunction.runHandler()` not awaited ("don't await result!"), so a
 * handler that throws or runs past its timeout ("[504] - Lambda timeout.") rejects with nobody
 * listening: Node's default turns that into an uncaught exception and the process exits. In AWS
 * the failed event is retried (the function's maximumRetryAttempts) and then dropped, the caller
 * long gone; the process that runs the other functions does not die.
 *
 * Narrow on purpose: only a promise returned by `runHandler()` of a function obtained through
 * `Lambda.getByFunctionName` (the two invoke controllers' way in) that nobody handled is reported,
 * through `warn`, with the function's name. Every other unhandled rejection is rethrown from the
 * listener, which Node reports as an uncaught exception: the same crash as without this guard.
 *
 * @param {{ prototype: { getByFunctionName: (name: string) => unknown } }} Lambda serverless-offline's
 *   `Lambda` class (the package's `serverless-offline/lambda` export)
 * @param {{ warn: (functionName: string, reason: unknown) => void, process?: NodeJS.Process }} options
 * @throws {TypeError} when `Lambda` has no `getByFunctionName` (a serverless-offline this was not written for)
 */
export function guardAsyncInvokes(Lambda, { warn, process: proc = process }) {
  const original = Lambda?.prototype?.getByFunctionName;
  if (typeof original !== 'function') {
    throw new TypeError('serverless-offline changed: Lambda.prototype.getByFunctionName is gone; review packages/devstack/src/dev/offline-preload');
  }
  /** @type {WeakMap<Promise<unknown>, string>} a runHandler() promise → the function's name */
  const runs = new WeakMap();
  const wrapped = new WeakSet();
  Lambda.prototype.getByFunctionName = function getByFunctionName(name) {
    const lambdaFunction = original.call(this, name);
    if (lambdaFunction !== null && typeof lambdaFunction === 'object' && !wrapped.has(lambdaFunction)) {
      wrapped.add(lambdaFunction);
      const runHandler = lambdaFunction.runHandler;
      // The same promise goes back to the controller: the unhandled-rejection event names it.
      lambdaFunction.runHandler = function (...args) {
        const run = runHandler.apply(this, args);
        if (run instanceof Promise) runs.set(run, name);
        return run;
      };
    }
    return lambdaFunction;
  };
  proc.on('unhandledRejection', (reason, promise) => {
    const functionName = runs.get(promise);
    if (functionName === undefined) throw reason;
    warn(functionName, reason);
  });
}
