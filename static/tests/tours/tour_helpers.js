/** @odoo-module **/
/* Helpers shared by the addon's tours. */
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const MENU = "school_student_import";

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

/** Student Imports > `label`, the menu item of xml id `menuId`. */
export function openMenu(menuId, label) {
    return [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Student Imports",
            trigger: `.o_app[data-menu-xmlid="${MENU}.school_student_import_menu_root"]`,
            run: "click",
        },
        {
            content: `Open ${label}`,
            trigger: `.o_main_navbar [data-menu-xmlid="${MENU}.${menuId}"]`,
            run: "click",
        },
    ];
}

/** The statusbar says Applied; Apply is gone and Revert is offered. */
export function appliedWithRevert() {
    return [
        {
            content: "The run is applied",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Applied)",
        },
        {
            content: "Apply is gone, Revert is offered",
            trigger:
                ".o_form_view .o_form_statusbar:not(:has(button[name=action_start_apply])):has(button[name=action_revert])",
        },
    ];
}

/**
 * Student Imports > Importers > Mosaic Student > Run Now, pick the kept file
 * `keptFile` (e.g. "daily_export.csv") and press Preview.
 */
export function runNowOnKeptFile(keptFile) {
    return [
        ...openMenu("student_importer_menu", "Importers"),
        {
            content: "Open the Mosaic Student importer",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Mosaic Student)",
            run: "click",
        },
        {
            content: "Run Now",
            trigger: ".o_form_view .o_form_statusbar button[name=action_run_now]",
            run: "click",
        },
        {
            content: `Choose the importer's kept file ${keptFile}`,
            trigger: ".modal .o_field_widget[name=attachment_id] input",
            run: `edit ${keptFile.replace(/\.csv$/, "")}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains(${keptFile})`,
            run: "click",
        },
        {
            trigger: `.modal .o_field_widget[name=attachment_id] input:value(${keptFile})`,
        },
        {
            content: "Preview",
            trigger: ".modal-footer button[name=action_run]",
            run: "click",
        },
    ];
}

/**
 * Put the file `name` (base64 `data`) into the file input of the binary field
 * `fieldName` of the open dialog, as a person choosing it would.
 */
export async function chooseFile(fieldName, name, data, type = "text/csv") {
    const input = document.querySelector(
        `.modal .o_field_widget[name="${fieldName}"] input[type=file]`
    );
    if (!input) {
        throw new Error(`no file input for ${fieldName}`);
    }
    const blob = await (await fetch(`data:${type};base64,${data}`)).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], name, { type }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * The rows of the change mix in `scope` (a form or a dialog), as
 * "Label count pct%": the cells' text, the bars left out.
 */
export function changeMixRows(scope = ".o_form_view") {
    const rows = document.querySelectorAll(`${scope} .o_field_widget[name=change_mix] tr`);
    return [...rows].map((row) =>
        [...row.querySelectorAll("td")]
            .slice(0, 3)
            .map(textOf)
            .join(" ")
    );
}

/** A step that waits until the change mix in `scope` holds each of `expected` rows. */
export function changeMixHas(expected, scope = ".o_form_view") {
    return {
        content: `The change mix shows ${expected.join(", ")}`,
        trigger: `${scope} .o_field_widget[name=change_mix] tr`,
        async run() {
            await waitUntil(() => {
                const rows = changeMixRows(scope);
                return expected.every((row) => rows.includes(row)) || rows.join(" / ");
            }, `the change mix should show ${expected.join(", ")}`);
        },
    };
}
