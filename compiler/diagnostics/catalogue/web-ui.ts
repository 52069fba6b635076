import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC9210–SLC9219: the web dashboard and its REST API (web/). Start-up errors are printed like other usage
 * errors; refusals of requests come back as JSON bodies `{ error: { code, message } }` with an HTTP status.
 */
export const webUiDiagnostics = {
  WebUiAddressInUse: {
    code: 'SLC9210',
    severity: 'error',
    message: 'cannot serve the web dashboard on {address}: {reason}',
    help: 'another program (a second job, or Flink) listens there: give another port, e.g. --web-ui {host}:{next}, or port 0 for any free one',
  },
  WebUiBadAddress: {
    code: 'SLC9211',
    severity: 'error',
    message: "'{value}' is not a web dashboard address",
    help: 'give a port (8081) or host:port (127.0.0.1:8081, [::1]:8081); the port is 0–65535, 0 picks a free one',
  },
  WebUiTokenMissing: {
    code: 'SLC9212',
    severity: 'error',
    message: 'the request carries no dashboard token',
    help: "open the URL the job printed (it carries the token after '#token='), or send 'Authorization: Bearer <token>'",
  },
  WebUiTokenWrong: {
    code: 'SLC9213',
    severity: 'error',
    message: "refused: the request does not carry this dashboard's token",
    help: 'open the URL printed when the dashboard started; every start makes a new token',
  },
  WebUiNotFound: {
    code: 'SLC9214',
    severity: 'error',
    message: 'no {what} {name} on this dashboard',
    help: 'GET /jobs lists the jobs; GET /jobs/{id} lists the vertices by uid',
  },
  WebUiActionFailed: {
    code: 'SLC9215',
    severity: 'error',
    message: 'job {job} could not {action}: {reason}',
    help: "a savepoint needs checkpointing ('execution.checkpointing.interval') and a target: 'state.savepoints.dir' or targetDirectory in the request",
  },
  WebUiBadRequest: {
    code: 'SLC9216',
    severity: 'error',
    message: 'the request body is not valid: {reason}',
    help: 'send JSON as docs/web-ui.md describes, or no body for the defaults',
  },
  WebUiAssetsUnavailable: {
    code: 'SLC9217',
    severity: 'error',
    message: 'the dashboard page cannot be served: {reason}',
    help: 'run `npm run build` (it writes dist/web-ui/), or reinstall the package',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
