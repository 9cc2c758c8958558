export const id = 968;
export const ids = [968];
export const modules = {

/***/ 3968:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseIgnoreFile: () => (/* binding */ parseIgnoreFile)
});

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
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
    return readRegularFile(file, `Input '${input}' (${label})`).toString('utf8');
}

;// CONCATENATED MODULE: ./actions/scan-report/src/ignore-file.ts



const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};
const entrySchema = schemas/* object */.Ikc({
    id: schemas/* string */.YjP().trim().min(1, 'must name the rule (a CVE, AWS-0086, CKV_AWS_20, …)'),
    path: schemas/* string */.YjP().trim().min(1).optional(),
    package: schemas/* string */.YjP().trim().min(1).optional(),
    reason: schemas/* string */.YjP().trim().min(1, 'must say why the finding is accepted'),
    expires: schemas/* string */.YjP().regex(DATE, 'must be a date written YYYY-MM-DD').refine(isRealDate, 'is not a real date').optional(),
})
    .strict();
const schema = schemas/* array */.YOg(entrySchema).nullable();
/** Parses and validates; every error names the file and the line. `today` is YYYY-MM-DD (UTC). */
function parseIgnoreFile(textContent, label, today) {
    // An empty file (or only comments) suppresses nothing.
    const parsed = textContent.trim() === '' ? [] : parseYamlConfig(textContent, label, schema);
    const counter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(withoutByteOrderMark(textContent), { lineCounter: counter });
    const entries = (parsed ?? []).map((e, i) => {
        const line = lineOf(doc, counter, [i]);
        return {
            ...e,
            where: `${label}${line ? `:${line}` : ''}`,
            expired: e.expires !== undefined && e.expires < today,
            matched: 0,
            partly: 0,
        };
    });
    return { label, entries };
}


/***/ })

};
