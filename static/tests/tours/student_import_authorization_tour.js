/** @odoo-module **/
/*
 * A run that needs an authorization, walked by two users in the browser:
 *
 * 1. the clerk previews a file adding 20% of the roster, confirms the large
 *    change ("Yes, apply"), is led on to "Authorization Required", is told
 *    that a request needs a comment, then submits one;
 * 2. a Support representative (the approver) finds it under Authorizations
 *    to Decide, opens its run, sees no Apply, and approves from the header,
 *    in a dialog that shows the figures, to apply now: the system applies
 *    the run on behalf of the clerk;
 * 3. the clerk finds the run applied.
 *
 * The clerk has no e-mail address, as many school staff accounts.
 *
 * Driven by tests/test_ui_authorization.py, which builds the district (40
 * students) and the kept file: 8 new students, 20% of the roster.
 */
import { registry } from "@web/core/registry";
import {
    appliedWithRevert,
    changeMixHas,
    formFieldIs,
    openMenu,
    runNowOnKeptFile,
    textOf,
    waitUntil,
} from "@school_student_import/../tests/tours/tour_helpers";

const KEPT_FILE = "large_export.csv";
const REQUEST_COMMENT = "Eight kindergarten transfers from the closed Elm school";
const DECISION_COMMENT = "Checked with the district office";

/** A step that waits until no dialog is open any more. */
function noDialog(what) {
    return {
        content: `${what}: the dialog is closed`,
        trigger: "body:not(:has(.modal))",
    };
}

/** The run's form, in review. */
function runInReview() {
    return {
        content: "The run waits for review",
        trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Review)",
    };
}

const APPLY = ".o_form_view .o_form_statusbar button[name=action_start_apply]";

registry.category("web_tour.tours").add("school_student_import_authorization_request", {
    url: "/odoo",
    steps: () => [
        ...runNowOnKeptFile(KEPT_FILE),
        // The review screen announces both safeguards
        runInReview(),
        changeMixHas(["Adds and reactivations 8 20.0%"]),
        {
            content: "The safeguard banner names the authorization",
            trigger: ".o_form_view .o_field_widget[name=trip_summary]",
            async run() {
                const selector = ".o_form_view .o_field_widget[name=trip_summary]";
                await waitUntil(() => {
                    const text = textOf(document.querySelector(selector));
                    return (
                        (text.includes("Authorization: Adds: 8 students, 20.0%") &&
                            text.includes("Warning: Adds: 8 students")) ||
                        `"${text}"`
                    );
                }, "the banner should list the warning and the authorization");
            },
        },
        formFieldIs("confirmation_state", "To Confirm"),
        formFieldIs("authorization_state", "To Authorize"),
        // Apply: first the large-change confirmation
        {
            content: "Apply",
            trigger: APPLY,
            run: "click",
        },
        {
            content: "The Large Change dialog opens",
            trigger: ".modal .modal-title:contains(Large Change)",
        },
        {
            content: "It shows what was reached",
            trigger: ".modal .o_field_widget[name=trip_summary]:contains(Authorization: Adds)",
        },
        {
            content: "Yes, apply",
            trigger: ".modal-footer button[name=action_yes]",
            run: "click",
        },
        // Confirmed, but the authorization still misses: nothing is applied
        // and the Authorization Required dialog follows at once.
        {
            content: "The Authorization Required dialog follows",
            trigger: ".modal .modal-title:contains(Authorization Required)",
        },
        {
            content: "Submit Request without a comment",
            trigger: ".modal button[name=action_submit_request]",
            run: "click",
        },
        {
            content: "Refused: the comment is required",
            trigger: ".modal .o_error_dialog:contains(the comment is required)",
        },
        {
            content: "Close the error",
            trigger: ".modal .o_error_dialog .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The Authorization Required dialog is still open, alone",
            trigger:
                "body:not(:has(.o_error_dialog)):has(.modal .modal-title:contains(Authorization Required))",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: `edit ${REQUEST_COMMENT}`,
        },
        {
            content: "Submit Request",
            trigger: ".modal button[name=action_submit_request]",
            run: "click",
        },
        {
            content: "The clerk is told the request was sent",
            trigger: ".o_notification:contains(Request sent for)",
        },
        noDialog("Submit Request"),
        runInReview(),
        formFieldIs("confirmation_state", "Confirmed"),
        formFieldIs("authorization_state", "Requested"),
    ],
});

registry.category("web_tour.tours").add("school_student_import_authorization_approve", {
    url: "/odoo",
    steps: () => [
        // Support's desk: Student Imports > Authorizations to Decide
        ...openMenu("student_import_authorization_menu", "Authorizations to Decide"),
        {
            content: "The desk lists the clerk's pending request, with its figures",
            trigger: `.o_list_view .o_data_row:has(td[name=requester_id]:contains(Clara Clerk)):has(td[name=comment]:contains(${REQUEST_COMMENT})):has(td[name=adds_summary]:contains(8 (20.0%)))`,
        },
        {
            content: "Only what waits for a decision is shown",
            trigger: ".o_searchview .o_facet_value:contains(To Decide)",
        },
        {
            content: "Open the request: its run opens",
            trigger: ".o_list_view .o_data_row td[name=requester_id]",
            run: "click",
        },
        runInReview(),
        formFieldIs("authorization_state", "Requested"),
        {
            content: "The approver gets Approve and Reject, but no Apply",
            trigger:
                ".o_form_view .o_form_statusbar:has(button[name=action_open_decision]:contains(Approve)):has(button[name=action_open_decision]:contains(Reject))",
            async run() {
                const bar = document.querySelector(".o_form_view .o_form_statusbar");
                for (const name of ["action_start_apply", "action_refresh", "action_cancel"]) {
                    if (bar.querySelector(`button[name=${name}]`)) {
                        throw new Error(`the approver is offered ${name}`);
                    }
                }
            },
        },
        {
            content: "The checklist says who requested it",
            trigger: ".o_form_view .o_field_widget[name=apply_checklist]:contains(by Clara Clerk)",
        },
        {
            content: "The request is in the chatter",
            trigger: `.o-mail-Chatter .o-mail-Message:contains(${REQUEST_COMMENT})`,
        },
        {
            content: "Approve, in the header",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_decision]:contains(Approve)",
            run: "click",
        },
        {
            content: "The decision dialog shows the request",
            trigger: `.modal .o_field_widget[name=request_comment]:contains(${REQUEST_COMMENT})`,
        },
        {
            trigger: ".modal .o_field_widget[name=requester_id]:contains(Clara Clerk)",
        },
        // The figures: 8 adds, 20.0%, against the thresholds
        changeMixHas(["Adds and reactivations 8 20.0%", "Updates 0 0.0%"], ".modal"),
        {
            content: "It shows the safeguards reached",
            trigger: ".modal .o_field_widget[name=trip_summary]:contains(Authorization: Adds)",
        },
        {
            content: "Answer",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: `edit ${DECISION_COMMENT}`,
        },
        {
            content: "Approve",
            trigger: ".modal-footer button[name=action_approve]",
            run: "click",
        },
        noDialog("Approve"),
        {
            content: "Approving applied the run, on behalf of the clerk",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Applied)",
        },
        {
            content: "Approve, Reject and the code are gone",
            trigger:
                ".o_form_view .o_form_statusbar:not(:has(button[name=action_open_decision])):not(:has(button[name=action_open_code_issue]))",
        },
    ],
});

registry.category("web_tour.tours").add("school_student_import_authorization_apply", {
    url: "/odoo",
    steps: () => [
        // Student Imports > Import Runs > the run
        ...openMenu("student_import_run_menu", "Import Runs"),
        {
            content: "Open the run of the kept file",
            trigger: `.o_list_view .o_data_row td[name=file_name]:contains(${KEPT_FILE})`,
            run: "click",
        },
        ...appliedWithRevert(),
        {
            content: "The chatter says who approved, and that it was applied for the clerk",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(applied on your behalf now)",
        },
    ],
});
