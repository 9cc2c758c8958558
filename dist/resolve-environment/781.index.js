export const id = 781;
export const ids = [781];
export const modules = {

/***/ 4781:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loadConfig: () => (/* binding */ loadConfig)
});

// UNUSED EXPORTS: configSchema, parseConfig

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
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

// EXTERNAL MODULE: ./actions/resolve-environment/src/config.ts
var src_config = __webpack_require__(5884);
// EXTERNAL MODULE: ./actions/resolve-environment/src/filter-pattern.ts
var filter_pattern = __webpack_require__(4783);
// EXTERNAL MODULE: ./actions/resolve-environment/src/templates.ts
var templates = __webpack_require__(1019);
;// CONCATENATED MODULE: ./actions/resolve-environment/src/config-schema.ts





/** Per-key validation of the rules file: unknown keys, types, globs and templates, with lines. */
const template = schemas/* string */.YjP()
    .min(1)
    .superRefine((value, ctx) => {
    const parsed = (0,templates/* parseTemplate */.QC)(value);
    if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', message: `template ${JSON.stringify(value)} ${parsed}` });
});
// The name's own text is checked when the file is read; what the variables bring, when filled.
const nameTemplate = template.superRefine((value, ctx) => {
    const problem = (0,templates/* environmentNameProblem */.QP)((0,templates/* templateText */.uO)(value));
    if (problem)
        ctx.addIssue({ code: 'custom', message: `environment name ${JSON.stringify(value)} ${problem}` });
});
const globs = schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* array */.YOg(schemas/* string */.YjP())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .superRefine((list, ctx) => {
    for (const g of list) {
        const problem = (0,src_config/* globProblem */.AI)(g);
        if (problem)
            ctx.addIssue({ code: 'custom', message: `glob ${JSON.stringify(g)} ${problem}` });
    }
    const problem = (0,filter_pattern/* filterListProblem */.uf)(list);
    if (problem)
        ctx.addIssue({ code: 'custom', message: `the list ${JSON.stringify(list)} ${problem}` });
});
const strategy = schemas/* string */.YjP().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, 'must be a word such as full, full+backup, skip, rolling or canary');
const settingsShape = {
    approval: schemas/* boolean */.zMY(),
    validation: schemas/* enum */.k5n(src_config/* VALIDATION_LEVELS */.u8),
    import: strategy,
    deploy: strategy,
    'image-tag': template,
    'tfvars-file': template,
    'state-key': template,
};
const environmentSchema = schemas/* object */.Ikc({ name: nameTemplate, ...settingsShape })
    .partial()
    .strict();
const defaultsSchema = schemas/* object */.Ikc(settingsShape).partial().strict();
const ACTIVITY = schemas/* string */.YjP().regex(/^[a-z_]+$/, 'must be an activity type such as opened or synchronize');
/** What is wrong with a rule's `on`, naming the value: the union alone says only "Invalid input". */
function eventProblem(input) {
    if (input === undefined)
        return `is required: the event or list of events the rule is for (${src_config/* EVENTS */.qY.join(', ')})`;
    const bad = (Array.isArray(input) ? input : [input]).find((e) => !src_config/* EVENTS */.qY.includes(e));
    const lower = typeof bad === 'string' ? bad.toLowerCase() : undefined;
    const hint = lower !== undefined && src_config/* EVENTS */.qY.includes(lower) ? ` (events are written in lower case: ${lower})` : '';
    return `${JSON.stringify(bad)} is not an event a rule can name${hint}; the events are ${src_config/* EVENTS */.qY.join(', ')}`;
}
const ruleSchema = schemas/* object */.Ikc({
    name: schemas/* string */.YjP().min(1),
    on: schemas/* union */.KCZ([schemas/* enum */.k5n(src_config/* EVENTS */.qY), schemas/* array */.YOg(schemas/* enum */.k5n(src_config/* EVENTS */.qY)).min(1)], { error: (issue) => eventProblem(issue.input) })
        .transform((v) => (Array.isArray(v) ? v : [v])),
    branches: globs.optional(),
    tags: globs.optional(),
    base: globs.optional(),
    head: globs.optional(),
    merged: schemas/* boolean */.zMY().optional(),
    closed: schemas/* boolean */.zMY().optional(),
    types: schemas/* array */.YOg(ACTIVITY).min(1).optional(),
    cron: schemas/* string */.YjP().min(1).optional(),
    workflows: schemas/* array */.YOg(schemas/* string */.YjP().min(1)).min(1).optional(),
    environment: template,
    operation: schemas/* enum */.k5n(src_config/* OPERATIONS */.xb),
})
    .strict();
const configSchema = schemas/* object */.Ikc({
    environments: schemas/* record */.g1P(schemas/* string */.YjP().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'environment names are letters, digits, - _ and .'), environmentSchema)
        .refine((e) => Object.keys(e).length > 0, 'at least one environment is required'),
    defaults: defaultsSchema.default({}),
    rules: schemas/* array */.YOg(ruleSchema).default([]),
})
    .strict();
function parseConfig(text, file) {
    const config = parseYamlConfig(text, file, configSchema);
    // Lines are counted as the editor shows them: without a byte-order mark.
    (0,src_config/* lint */.bL)(config, file, withoutByteOrderMark(text));
    return config;
}
function loadConfig(file, label) {
    return parseConfig(readConfigFile(file, label, 'config'), label);
}


/***/ })

};
