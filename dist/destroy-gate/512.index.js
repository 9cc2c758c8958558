export const id = 512;
export const ids = [512];
export const modules = {

/***/ 5512:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  policyFor: () => (/* binding */ policyFor),
  readPolicy: () => (/* binding */ readPolicy)
});

// UNUSED EXPORTS: environmentPolicySchema, policySchema

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
// EXTERNAL MODULE: ./packages/common/src/index.ts + 9 modules
var src = __webpack_require__(1306);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./packages/common/src/errors.ts
var errors = __webpack_require__(9696);
// EXTERNAL MODULE: ./packages/common/src/files.ts
var files = __webpack_require__(6416);
;// CONCATENATED MODULE: ./packages/common/src/yaml-config.ts



/**
 * YAML 1.2 allows a byte-order mark at the start (Windows editors and PowerShell 5 write one);
 * the yaml package reads a block sequence after one as a syntax error.
 */
const withoutByteOrderMark = (text) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
/**
 * A YAML configuration file read and validated in one step: YAML syntax errors, unknown keys
 * and wrong types all become one ConfigurationError that names the file, the line and the key.
 * Schemas should be `.strict()` so a misspelt key is an error, not silently ignored.
 */
function parseYamlConfig(content, file, schema) {
    const text = withoutByteOrderMark(content);
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
        const e = doc.errors[0];
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        throw new errors/* ConfigurationError */.j1(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    // A key named __proto__ would set the object's prototype, not add an entry: refuse it.
    (0,dist/* visit */.YR)(doc, {
        Pair(_, pair) {
            if ((0,dist/* isScalar */.jn)(pair.key) && pair.key.value === '__proto__') {
                const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
                throw new errors/* ConfigurationError */.j1(`${file}${line ? `:${line}` : ''}: the key '__proto__' is not allowed`);
            }
        },
    });
    let value;
    try {
        // The yaml package refuses an alias bomb (`Excessive alias count`): the file's fault.
        value = doc.toJS();
    }
    catch (error) {
        throw new errors/* ConfigurationError */.j1(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const result = schema.safeParse(value ?? {});
    if (result.success)
        return result.data;
    // One complaint per place: a date both malformed and not a date is said once.
    const seen = new Set();
    const distinct = result.error.issues.filter((i) => {
        const at = JSON.stringify(i.path);
        return seen.has(at) ? false : (seen.add(at), true);
    });
    const issues = distinct.slice(0, 5).map((issue) => {
        const path = issue.path;
        // For an unknown key, point at the key itself rather than at its parent.
        const line = lineOf(doc, lineCounter, issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path);
        return `${file}${line ? `:${line}` : ''}: ${pathText(issue.path)}: ${describeIssue(issue)}`;
    });
    const more = distinct.length > 5 ? `\n(and ${distinct.length - 5} more)` : '';
    throw new errors/* ConfigurationError */.j1(`${issues.join('\n')}${more}`);
}
/** `environments.prod.max-destroy`; the line number says which list entry. */
function pathText(path) {
    return path.length ? path.join('.') : '(top level)';
}
function describeIssue(issue) {
    if (issue.code === 'unrecognized_keys')
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    // zod's "Invalid input: expected string, received undefined" for a key that is not there.
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
        return `is required (${issue.expected})`;
    return issue.message;
}
/** The line of the deepest node on `path` that exists. */
function lineOf(doc, counter, path) {
    for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if ((0,dist/* isNode */.Ll)(node) && node.range)
            return counter.linePos(node.range[0]).line;
    }
    return undefined;
}
/** The text of a configuration file named by an input, or an error naming the input. */
function readConfigFile(file, label, input) {
    return (0,files/* readRegularFile */.XF)(file, `Input '${input}' (${label})`).toString('utf8');
}

// EXTERNAL MODULE: ./packages/terraform/src/index.ts + 16 modules
var terraform_src = __webpack_require__(2276);
;// CONCATENATED MODULE: ./actions/destroy-gate/src/policy.ts




/**
 * The per-environment destroy policy: one reviewed file holds the rules of every environment.
 *
 *   environments:
 *     prod:  { max-destroy: 0, protected: [google_sql_database_instance.*] }
 *     stage: { max-destroy: 5 }
 *   default: { max-destroy: 0 }        # optional: environments not listed
 */
// A list only: `protected: a.*, b.*` is one YAML string, which would be one glob matching nothing.
// Trimmed as the inputs' entries are: no address starts or ends with white space.
const patterns = schemas/* array */.YOg(schemas/* string */.YjP()
    .trim()
    .min(1)
    .superRefine((pattern, ctx) => {
    // It would protect (or ignore) nothing, and say nothing.
    const problem = (0,terraform_src/* addressGlobProblem */.GY)(pattern);
    if (problem)
        ctx.addIssue({ code: 'custom', message: problem });
}), {
    error: 'must be a list of globs, [a.*, b.*] or one "- glob" per line (a comma-separated string would be one glob that matches nothing)',
});
const environmentPolicySchema = schemas/* object */.Ikc({
    'max-destroy': schemas/* number */.aig().int().min(-1),
    'count-replace': schemas/* boolean */.zMY(),
    protected: patterns,
    ignore: patterns,
    'allow-label': schemas/* string */.YjP().min(1),
    'allow-review': schemas/* boolean */.zMY(),
})
    .partial()
    .strict();
const policySchema = schemas/* object */.Ikc({
    environments: schemas/* record */.g1P(schemas/* string */.YjP().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'environment names are letters, digits, - _ and .'), environmentPolicySchema)
        .default({})
        .superRefine((entries, ctx) => {
        // One environment to GitHub, whichever the job names: the policy is refused, not the run that meets them.
        const seen = new Map();
        for (const name of Object.keys(entries)) {
            const first = seen.get(name.toLowerCase());
            if (first !== undefined)
                ctx.addIssue({
                    code: 'custom',
                    message: `has entries '${first}' and '${name}', one environment to GitHub (names are case-insensitive); keep one`,
                });
            else
                seen.set(name.toLowerCase(), name);
        }
    }),
    default: environmentPolicySchema.optional(),
})
    .strict();
function readPolicy(file, label) {
    return parseYamlConfig(readConfigFile(file, label, 'policy'), label, policySchema);
}
/**
 * GitHub's environment names are case-insensitive: `PROD` is the environment `prod` (it must not
 * fall back to the default entry and lose prod's protection). Two entries that differ only in
 * case are ambiguous: refused.
 */
function ownIgnoringCase(entries, environment, label) {
    const lower = environment.toLowerCase();
    const names = Object.keys(entries).filter((k) => k.toLowerCase() === lower);
    if (names.length > 1)
        throw new src/* ConfigurationError */.j1(`The policy ${label} has entries ${names.map((n) => `'${n}'`).join(' and ')}, one environment to GitHub (names are case-insensitive); keep one.`);
    return names.length === 1 ? (0,src/* own */.ZV)(entries, names[0]) : undefined;
}
/** The entry for `environment`, or the `default` entry; a missing entry is an error (fail closed). */
function policyFor(policy, environment, label) {
    if (environment) {
        // Own entries only: an environment named `constructor` must not find Object.prototype's.
        const entry = ownIgnoringCase(policy.environments, environment, label) ?? policy.default;
        if (!entry) {
            const known = Object.keys(policy.environments);
            throw new src/* ConfigurationError */.j1(`The policy ${label} has no entry for environment '${environment}' and no 'default' entry (it has: ${known.join(', ') || 'none'}). Add one, or fix input 'environment'.`);
        }
        return entry;
    }
    if (policy.default)
        return policy.default;
    throw new src/* ConfigurationError */.j1(`Input 'environment' is required with 'policy' (${label}) to choose an entry, unless the policy has a 'default' entry.`);
}


/***/ })

};
