export const id = 765;
export const ids = [765];
export const modules = {

/***/ 63765:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseSummary: () => (/* binding */ parseSummary)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(16435);
/* harmony import */ var _infra_actions_common__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(61306);
/* harmony import */ var _summary_file_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(26020);



/** Reading the summary files of aggregate mode (zod loads only in that mode). */
const count = zod__WEBPACK_IMPORTED_MODULE_2__/* .number */ .aig().int().min(0).max(Number.MAX_SAFE_INTEGER);
// Summary files travel as artifacts, so every field the comment shows is checked: every count
// present and a whole number, strings where addresses go.
const summarySchema = zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
    schema: zod__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .euz(_summary_file_js__WEBPACK_IMPORTED_MODULE_1__/* .SUMMARY_SCHEMA */ .hb),
    key: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().min(1),
    environment: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    title: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    summary: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP(),
    counts: zod__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ikc({
        add: count,
        change: count,
        destroy: count,
        replace: count,
        import: count,
        move: count,
        forget: count,
        read: count,
        noop: count,
        drift: count,
        deferred: count,
        deposed: count,
    }),
    hasChanges: zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY(),
    errored: zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY(),
    complete: zod__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zMY().optional(),
    /** Up to 20 destroyed or replaced addresses. */
    destroyed: zod__WEBPACK_IMPORTED_MODULE_2__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP()).max(1000),
    sha: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
    detailsUrl: zod__WEBPACK_IMPORTED_MODULE_2__/* .string */ .YjP().optional(),
});
function parseSummary(text, file) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        throw new _infra_actions_common__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`Input 'summaries': ${file} is not valid JSON.`);
    }
    const result = summarySchema.safeParse(value);
    if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : '(top level)';
        throw new _infra_actions_common__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`Input 'summaries': ${file} is not a plan summary written by plan-comment (schema ${_summary_file_js__WEBPACK_IMPORTED_MODULE_1__/* .SUMMARY_SCHEMA */ .hb}): ${where}: ${issue?.message ?? 'invalid'}.`);
    }
    return result.data;
}


/***/ })

};
