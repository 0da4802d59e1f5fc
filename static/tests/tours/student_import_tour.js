/** @odoo-module **/
/*
 * The review screen as a clerk sees it: Run Now on the "Mosaic Student"
 * importer with its kept daily file, the run's counts, the change-type
 * filters of "Review Changes", one line's field changes, Exclude Errors and
 * Apply. Driven by tests/test_ui.py, which builds the district (40 students)
 * and the file: 2 updates, 1 add, 1 reactivation, 1 inactivation, 1 error.
 */
import { registry } from "@web/core/registry";
import {
    appliedWithRevert,
    changeMixHas,
    formFieldIs,
    runNowOnKeptFile,
    textOf,
    waitUntil,
} from "@school_student_import/../tests/tours/tour_helpers";


/** The change types shown in the list, one per row. */
function listedChangeTypes() {
    return [...document.querySelectorAll(".o_list_view .o_data_row td[name=change_type]")].map(
        textOf
    );
}

/** "Label: counter" of each "Change Types" checkbox, sorted by label. */
function panelCounters() {
    return [...document.querySelectorAll(".o_search_panel_filter_value")]
        .map(
            (value) =>
                `${textOf(value.querySelector(".o_search_panel_label_title"))}: ${textOf(
                    value.querySelector(".o_search_panel_counter")
                )}`
        )
        .sort()
        .join(", ");
}

registry.category("web_tour.tours").add("school_student_import_review_apply", {
    url: "/odoo",
    steps: () => [
        ...runNowOnKeptFile("daily_export.csv"),
        // The run's review screen: state and counts
        {
            content: "The run waits for review",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Review)",
        },
        changeMixHas([
            "Adds and reactivations 2 5.0%",
            "Updates 2 5.0%",
            "Inactivations 1 2.5%",
        ]),
        formFieldIs("count_error", "1"),
        formFieldIs("existing_count", "40"),
        {
            content: "The unusable row is announced, in the singular",
            trigger: ".o_form_view .alert-danger:contains(1 row of the file cannot be used)",
        },
        {
            content: "The checklist puts the error line first",
            trigger:
                ".o_form_view .o_field_widget[name=apply_checklist] li:first-child:contains(1 error line to exclude)",
        },
        {
            content: "Apply is offered",
            trigger: ".o_form_view .o_form_statusbar button[name=action_start_apply]",
        },
        // Review Changes: the change-type filters
        {
            content: "Review Changes",
            trigger: ".o_form_view .o-form-buttonbox button[name=action_view_lines]",
            run: "click",
        },
        {
            content: "The change-type checkboxes are there",
            trigger: ".o_search_panel .o_search_panel_section_header:contains(Change Types)",
        },
        {
            content: "Every change type is listed, with its count",
            trigger: ".o_search_panel .o_search_panel_filter_value",
            async run() {
                const expected = "Add: 1, Error: 1, Inactivate: 1, Reactivate: 1, Update: 2";
                await waitUntil(() => {
                    const seen = panelCounters();
                    return seen === expected || seen;
                }, `the search panel should count ${expected}`);
                await waitUntil(() => {
                    const types = listedChangeTypes();
                    return types.length === 6 || types.join(", ");
                }, "unfiltered, the list should hold the 6 lines");
            },
        },
        {
            content: "Show the updates only",
            trigger:
                ".o_search_panel_filter_value:has(.o_search_panel_label_title:contains(Update)) input",
            run: "click",
        },
        {
            content: "The list holds the two updates and nothing else",
            trigger: ".o_search_panel_filter_value input:checked",
            async run() {
                await waitUntil(() => {
                    const types = listedChangeTypes();
                    return (
                        (types.length === 2 && types.every((type) => type === "Update")) ||
                        `[${types.join(", ")}]`
                    );
                }, "with Update ticked, the list should show only the 2 updates");
            },
        },
        // One line's field changes
        {
            content: "Open the line of student 200003",
            trigger: ".o_list_view .o_data_row td[name=student_number]:contains(200003)",
            run: "click",
        },
        {
            content: "The line's field changes show their old and new values",
            trigger: ".o_form_view .o_field_widget[name=change_ids] .o_data_row",
            async run() {
                const table = ".o_form_view .o_field_widget[name=change_ids]";
                const headers = [...document.querySelectorAll(`${table} thead th`)].map(textOf);
                for (const label of ["Field", "Old Value", "New Value"]) {
                    if (!headers.includes(label)) {
                        throw new Error(`no "${label}" column among [${headers.join(", ")}]`);
                    }
                }
                const rows = [...document.querySelectorAll(`${table} .o_data_row`)].map((row) =>
                    ["field_name", "old_value", "new_value"]
                        .map((name) => textOf(row.querySelector(`td[name=${name}]`)))
                        .join(" | ")
                );
                if (rows.join(" / ") !== "Eligibility | paid | free") {
                    throw new Error(`field changes of 200003: ${rows.join(" / ")}`);
                }
            },
        },
        {
            content: "Back to the list of changes",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains(Changes of):not(:has(a))",
        },
        {
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Back to the run, by its breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(IMP/)",
            run: "click",
        },
        // Exclude the error row, then Apply
        {
            content: "Exclude Errors",
            trigger: ".o_form_view .o_form_statusbar button[name=action_exclude_errors]",
            run: "click",
        },
        formFieldIs("count_excluded", "1"),
        {
            content: "With no error left, the error banner is gone",
            trigger: ".o_form_view:not(:has(.alert-danger))",
        },
        {
            content: "Apply",
            trigger: ".o_form_view .o_form_statusbar button[name=action_start_apply]",
            run: "click",
        },
        ...appliedWithRevert(),
    ],
});
