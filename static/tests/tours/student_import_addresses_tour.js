/** @odoo-module **/
/*
 * A file whose last names became street addresses (a shifted column in the
 * SIS export): the review screen names the problem at the top, the
 * suspicious lines are one click away, and the confirmation dialog shows
 * old → new for each with No as its default button. The clerk says No.
 *
 * Driven by tests/test_ui_addresses.py: 10 of 40 last names become addresses.
 */
import { registry } from "@web/core/registry";
import {
    formFieldIs,
    runNowOnKeptFile,
    textOf,
    waitUntil,
} from "@school_student_import/../tests/tours/tour_helpers";

const KEPT_FILE = "addresses_export.csv";

registry.category("web_tour.tours").add("school_student_import_addresses", {
    url: "/odoo",
    steps: () => [
        ...runNowOnKeptFile(KEPT_FILE),
        {
            content: "The run waits for review",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Review)",
        },
        {
            content: "The banner names the problem, with its count",
            trigger:
                ".o_form_view .alert .o_field_widget[name=suspicious_top]:contains(10 last names look like street addresses)",
        },
        {
            content: "The suspicious lines are a count with a button",
            trigger: ".o_form_view .o-form-buttonbox button[name=action_view_suspicious]:contains(10)",
        },
        {
            content: "The change mix shows the updates past the 10% mark",
            trigger: ".o_form_view .o_field_widget[name=change_mix] .bg-warning",
        },
        formFieldIs("confirmation_state", "To Confirm"),
        {
            content: "Apply",
            trigger: ".o_form_view .o_form_statusbar button[name=action_start_apply]",
            run: "click",
        },
        {
            content: "The Large Change dialog opens",
            trigger: ".modal .modal-title:contains(Large Change)",
        },
        {
            content: "It shows old → new of the suspicious lines",
            trigger: ".modal .o_field_widget[name=suspicious_line_ids] .o_data_row",
            async run() {
                const cells = ".modal .o_field_widget[name=suspicious_line_ids] td[name=suspicious_changes]";
                await waitUntil(() => {
                    const texts = [...document.querySelectorAll(cells)].map(textOf);
                    return (
                        (texts.length === 10 &&
                            texts.every(
                                (text) =>
                                    text.startsWith("Last Name: ") &&
                                    text.includes(" \u2192 1") &&
                                    text.endsWith(" Oak Street (looks like a street address)")
                            )) ||
                        texts.join(" / ")
                    );
                }, "each suspicious line should show its last name's old and new value");
            },
        },
        {
            content: "No is the default button; Yes, apply is not highlighted",
            trigger:
                ".modal-footer:has(button.btn-primary:contains(No)):not(:has(button.btn-primary[name=action_yes]))",
            async run() {
                const footer = document.querySelector(".modal-footer");
                const first = footer.querySelector("button");
                if (textOf(first) !== "No") {
                    throw new Error(`the first button is "${textOf(first)}", not No`);
                }
            },
        },
        {
            content: "No",
            trigger: ".modal-footer button.btn-primary:contains(No)",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        formFieldIs("confirmation_state", "To Confirm"),
    ],
});
