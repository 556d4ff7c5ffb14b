// Runs one execution of an Amazon States Language definition with
// aws-local-stepfunctions. Every Task state is sent to a local Lambda Invoke
// API (the function ARN in Resource, or FunctionName/Payload for the
// arn:aws:states:::lambda:invoke integration); Wait states and Retry pauses
// are shortened. The execution's events are printed as JSON lines.
//
// Usage: node driver.cjs CONFIG.json
// CONFIG: {definition, input, context, lambdaEndpoint, waitMs, retryMs,
//          stateWaitsMs: {state: ms}, timeoutSeconds, abortAt}
// stateWaitsMs replaces waitMs for the named Wait states; timeoutSeconds
// (when positive) replaces the definition's TimeoutSeconds; abortAt stops
// the execution when it enters that state, as StopExecution would.
'use strict';

const fs = require('node:fs');
const { StateMachine } = require('aws-local-stepfunctions');

const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const FUNCTION_ARN = /^arn:[^:]+:lambda:[^:]+:[0-9]{12}:function:[^:]+(:[^:]+)?$/;

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

// taskError is what Step Functions sees of a function error: its
// errorType as the error name, and the error body as the cause.
function taskError(name, cause) {
  const err = new Error(cause);
  err.name = name;
  return err;
}

async function invoke(endpoint, functionName, payload) {
  const url = `${endpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  let resp;
  try {
    resp = await fetch(url, { method: 'POST', body: JSON.stringify(payload ?? {}), headers: { 'Content-Type': 'application/json' } });
  } catch (e) {
    throw taskError('Lambda.SdkClientException', `invoke ${functionName}: ${e.message}`);
  }
  const text = await resp.text();
  if (resp.status !== 200) {
    const type = resp.headers.get('x-amzn-errortype') || 'Lambda.ServiceException';
    throw taskError(type.startsWith('Lambda.') ? type : `Lambda.${type}`, text);
  }
  if (resp.headers.get('x-amz-function-error')) {
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = { errorType: 'Unhandled', errorMessage: text };
    }
    throw taskError(body.errorType || 'Unhandled', JSON.stringify({ errorMessage: body.errorMessage, errorType: body.errorType }));
  }
  return text === '' ? null : JSON.parse(text);
}

function taskHandler(endpoint, resource) {
  if (LAMBDA_INVOKE.test(resource)) {
    return async (input) => {
      const payload = await invoke(endpoint, input.FunctionName, input.Payload);
      return {
        ExecutedVersion: '$LATEST',
        Payload: payload,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: {},
        StatusCode: 200,
      };
    };
  }
  if (FUNCTION_ARN.test(resource)) {
    return (input) => invoke(endpoint, resource, input);
  }
  return async () => {
    throw taskError('States.Runtime', `resource ${resource} is not a Lambda function and cannot run locally`);
  };
}

// normalize works around a defect of aws-local-stepfunctions 3.0.0: it
// treats "ResultPath": "$" as a key named "$" instead of the whole state.
// ResultPath defaults to "$", so removing it keeps the definition's meaning
// exactly, and the library handles the default correctly.
function normalize(states) {
  for (const state of Object.values(states)) {
    if (state.ResultPath === '$') {
      delete state.ResultPath;
    }
    for (const catcher of state.Catch ?? []) {
      if (catcher.ResultPath === '$') {
        delete catcher.ResultPath;
      }
    }
    for (const branch of state.Branches ?? []) {
      normalize(branch.States);
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) {
      normalize(processor.States);
    }
  }
}

// collect walks the definition (with Parallel branches and Map processors)
// and builds the overrides for every Task, Wait and Retry.
function collect(states, cfg, overrides) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      overrides.taskResourceLocalHandlers[name] = taskHandler(cfg.lambdaEndpoint, state.Resource);
    }
    if (state.Type === 'Wait') {
      overrides.waitTimeOverrides[name] = cfg.stateWaitsMs?.[name] ?? cfg.waitMs;
    }
    if (Array.isArray(state.Retry) && state.Retry.length > 0) {
      overrides.retryIntervalOverrides[name] = cfg.retryMs;
    }
    for (const branch of state.Branches ?? []) {
      collect(branch.States, cfg, overrides);
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) {
      collect(processor.States, cfg, overrides);
    }
  }
}

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const overrides = { taskResourceLocalHandlers: {}, waitTimeOverrides: {}, retryIntervalOverrides: {} };
  normalize(cfg.definition.States);
  collect(cfg.definition.States, cfg, overrides);
  if (cfg.timeoutSeconds > 0) {
    cfg.definition.TimeoutSeconds = cfg.timeoutSeconds;
  }

  const machine = new StateMachine(cfg.definition, { validationOptions: { checkPaths: true, checkArn: true } });
  const execution = machine.run(cfg.input, { overrides, context: cfg.context });
  const done = execution.result.then(
    () => undefined,
    () => undefined, // the ExecutionFailed, ExecutionTimeout or ExecutionAborted event says why
  );
  let aborted = false;
  for await (const event of execution.eventLogs) {
    emit(event);
    if (!aborted && cfg.abortAt && event.type === 'StateEntered' && event.state?.name === cfg.abortAt) {
      aborted = true;
      execution.abort();
    }
  }
  await done;
}

main().catch((e) => {
  emit({ type: 'DriverError', Error: e.name, Cause: String(e.stack || e.message) });
  process.exitCode = 2;
});
