/** @odoo-module **/
/* Helpers shared by the addon's tours. */

/** Text of an element, blanks collapsed. */
export function textOf(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
}

/**
 * Poll `check` (which returns true, or what it saw instead) until it holds;
 * the views load asynchronously after a click. Throwing fails the tour.
 */
export async function waitUntil(check, what, timeout = 5000) {
    const start = Date.now();
    let seen = check();
    while (seen !== true) {
        if (Date.now() - start > timeout) {
            throw new Error(`${what}: ${seen}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = check();
    }
}

/** A step that waits until the form's field `name` reads exactly `expected`. */
export function formFieldIs(name, expected) {
    const selector = `.o_form_view .o_field_widget[name="${name}"]`;
    return {
        content: `${name} is ${expected}`,
        trigger: selector,
        async run() {
            await waitUntil(() => {
                const text = textOf(document.querySelector(selector));
                return text === expected || `"${text}"`;
            }, `${name} should read "${expected}"`);
        },
    };
}
