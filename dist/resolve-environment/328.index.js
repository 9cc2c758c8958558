export const id = 328;
export const ids = [328];
export const modules = {

/***/ 5328:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  apiUnavailableReason: () => (/* reexport */ apiUnavailableReason),
  createGitHubClient: () => (/* reexport */ createGitHubClient),
  explainApiError: () => (/* reexport */ explainApiError)
});

// UNUSED EXPORTS: NOT_JSON, retryBaseMs, statusOf

// EXTERNAL MODULE: ./packages/common/src/index.ts + 9 modules
var src = __webpack_require__(1306);
;// CONCATENATED MODULE: ./packages/github/src/api-errors.ts

/** The HTTP status of an Octokit RequestError (or anything carrying `status`), else undefined. */
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
/** How the client says a success was not JSON (client.ts), so the failure is explained as the network's. */
const NOT_JSON = 'with a page that is not JSON';
/**
 * One mapping of GitHub API failures to what the user reads, for every action: 401, 403, 404
 * and 422 are the token's or the workflow's configuration, said with what to change; rate limits
 * and 5xx/network/timeouts that outlived the client's retries are GitHub's, said with "re-run".
 * Anything without an HTTP status is returned as it is: that is a bug, and run() says so.
 */
function explainApiError(error, call) {
    const status = statusOf(error);
    if (status === undefined)
        return error;
    const said = apiMessage(error);
    const token = call.tokenInput ?? 'github-token';
    if (status === 401) {
        return new src/* ConfigurationError */.j1(`GitHub refused the token (401: ${said}) when trying to ${call.doing}. Check input '${token}': it may be expired or revoked.`);
    }
    if (status === 429 || (status === 403 && isRateLimit(error, said))) {
        return new src/* ServiceError */._7(`GitHub's API rate limit stopped the attempt to ${call.doing} (${status}: ${said}), and waiting longer was not allowed. Re-run the job later, or use a token with its own limit (a GitHub App's).`, status);
    }
    if (status === 403) {
        const grant = call.permission
            ? `Give the job 'permissions: ${call.permission}' (GITHUB_TOKEN is read-only when the organization or the workflow says so), or pass `
            : 'Pass ';
        return new src/* ConfigurationError */.j1(`The token may not ${call.doing} (403: ${said}). ${grant}a token in '${token}' that can.`);
    }
    if (status === 404) {
        const check = call.notFound
            ? `Check ${call.notFound}, and that the token can see it.`
            : 'Check that it exists and that the token can see it.';
        return new src/* ConfigurationError */.j1(`GitHub answered 404 (${said}) when trying to ${call.doing}. ${check}`);
    }
    if (status === 422) {
        return new src/* ConfigurationError */.j1(`GitHub refused to ${call.doing} (422: ${said}).${call.unprocessable ? ` ${call.unprocessable}` : ''}`);
    }
    if (status >= 500 && said.includes(NOT_JSON)) {
        return new src/* ServiceError */._7(`${said.replace(/: a proxy in the way\?$/, '')} when trying to ${call.doing}, also after retrying: a proxy, firewall or captive portal between the runner and GitHub answered instead of GitHub. ` +
            "Check the runner's network (HTTPS_PROXY, NO_PROXY) and GITHUB_API_URL.", status);
    }
    if (status >= 500) {
        // Octokit reports a network error or a timeout as a 500 whose message is the cause.
        return new src/* ServiceError */._7(`GitHub's API failed when trying to ${call.doing} (${status}: ${said}), also after retrying. This is usually temporary: re-run the job.`, status);
    }
    return new src/* ServiceError */._7(`GitHub answered ${status} (${said}) when trying to ${call.doing}.`, status);
}
/** The API's own message, without Octokit's " - https://docs.github.com/…" suffix. */
function apiMessage(error) {
    return ((0,src/* errorMessage */.gJ)(error).split(' - https://')[0] ?? '').trim() || 'no message';
}
function isRateLimit(error, said) {
    const headers = error.response?.headers;
    return /rate limit/i.test(said) || headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] !== undefined;
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 16 modules
var core = __webpack_require__(3340);
;// CONCATENATED MODULE: ./packages/github/src/client.ts



/**
 * Why the API cannot be used in this run, or undefined when it can. Without a token, or under
 * nektos/act (whose default token is absent and whose API calls would hit the real repository),
 * the action still does all its local work and says what it skipped. `tokenInput` names the
 * caller's input for the message.
 */
function apiUnavailableReason(token, context, tokenInput = 'github-token') {
    if (context.isAct)
        return 'running under nektos/act (ACT=true)';
    if (!token)
        return `no GitHub token (input '${tokenInput}' is empty)`;
    if (!context.owner || !context.repo)
        return 'GITHUB_REPOSITORY is not set';
    return undefined;
}
/** Test knob: the integration tests shrink every wait so fault injection runs in milliseconds. */
function retryBaseMs() {
    return Number(process.env.INFRA_ACTIONS_RETRY_BASE_MS) || 1000;
}
/**
 * `@actions/github`'s getOctokit with `@octokit/plugin-retry` and `@octokit/plugin-throttling`
 * as extra plugins (as actions/github-script does), bounded: 5xx and network errors are retried
 * with exponential backoff, primary and secondary rate limits wait for `retry-after` at most twice
 * and never longer than `maxRateLimitWaitSeconds`, and every attempt has its own timeout. The
 * plugins load only when a run calls the API.
 */
async function createGitHubClient(token, options = {}) {
    const baseUrl = (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '');
    const [github, { retry }, { throttling }, { default: Bottleneck }, proxied] = await Promise.all([
        __webpack_require__.e(/* import() */ 758).then(__webpack_require__.bind(__webpack_require__, 1758)),
        Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(735)]).then(__webpack_require__.bind(__webpack_require__, 9735)),
        Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(856)]).then(__webpack_require__.bind(__webpack_require__, 6856)),
        __webpack_require__.e(/* import() */ 251).then(__webpack_require__.t.bind(__webpack_require__, 3251, 23)),
        (0,src/* runnerFetch */.TZ)(),
    ]);
    const baseMs = retryBaseMs();
    const timeoutMs = options.timeoutMs ?? (Number(process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS) || 30_000);
    const maxWait = options.maxRateLimitWaitSeconds ?? 90;
    const onLimit = (kind) => (retryAfter, request, _octokit, retryCount) => {
        const retrying = retryCount < 2 && retryAfter <= maxWait;
        core/* warning */.$e(`GitHub ${kind} rate limit on ${request.method} ${request.url}; ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}.`);
        return retrying;
    };
    // A per-attempt timeout: an AbortSignal on the fetch itself, so each retry gets a fresh one.
    // Our `request.fetch` replaces getOctokit's default (options are merged shallowly), so it goes
    // through the runner's proxy itself when one is configured.
    const send = proxied;
    const timedFetch = async (input, init) => {
        const signals = [AbortSignal.timeout(timeoutMs), init?.signal].filter((s) => !!s);
        const response = await send(input, { ...init, signal: AbortSignal.any(signals) });
        // Every call we make answers JSON: a success that is not (a proxy's or a portal's page) is no
        // answer of GitHub's, and Octokit would hand its text on as the data. Failed (and retried) here.
        const type = response.headers.get('content-type') ?? '';
        const bodiless = response.status === 204 || response.status === 205 || (init?.method ?? 'GET').toUpperCase() === 'HEAD';
        if (response.ok && !bodiless && !/\bjson\b/i.test(type)) {
            await response.body?.cancel();
            throw new Error(`GitHub's API answered ${response.status} ${NOT_JSON} (${type || 'no content type'}): a proxy in the way?`);
        }
        return response;
    };
    return github.getOctokit(token, {
        baseUrl,
        // Retries belong in the plugin's state: a `request.retries` default would make the plugin
        // retry every failure, 403/404/422 included.
        request: { fetch: timedFetch },
        retry: { retryAfterBaseValue: baseMs, retries: options.retries ?? 3 },
        throttle: {
            retryAfterBaseValue: baseMs,
            // GitHub asks for one write a second and three between notifying writes (new comments);
            // the plugin's defaults, scaled with the other waits so the stand-in tests run fast.
            write: new Bottleneck.Group({ maxConcurrent: 1, minTime: baseMs }),
            notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * baseMs }),
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
        },
    }, retry, throttling);
}

;// CONCATENATED MODULE: ./packages/github/src/api.ts
// The API client and its error explanations, without the comment code: for actions that make a
// few calls of their own (a dynamic import of this entry loads nothing else).




/***/ })

};
