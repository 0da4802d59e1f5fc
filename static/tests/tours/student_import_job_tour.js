/** @odoo-module **/
/*
 * Run Now of a file over the job threshold: the run opens Queued, with its
 * progress, and turns into the review screen by itself, without a reload,
 * when the scheduler's job has previewed it.
 *
 * Driven by tests/test_ui_jobs.py, which lowers the threshold, keeps the
 * file and plays the cron worker while the tour waits.
 */
import { registry } from "@web/core/registry";
import {
    changeMixHas,
    runNowOnKeptFile,
} from "@school_student_import/../tests/tours/tour_helpers";

const CURRENT = ".o_form_view .o_statusbar_status button.o_arrow_button_current";

registry.category("web_tour.tours").add("school_student_import_job", {
    url: "/odoo",
    steps: () => [
        ...runNowOnKeptFile("big_export.csv"),
        {
            content: "Run Now returns at once: the run is queued",
            trigger: `${CURRENT}:contains(Queued)`,
        },
        {
            content: "The job's progress is shown; mark the page to see that it is not reloaded",
            trigger: ".o_form_view .o_student_import_job:has(.o_progressbar):contains(Clara Clerk)",
            run() {
                window.studentImportJobTourPage = true;
            },
        },
        {
            content: "Nothing to count yet: no figures, no empty list of lines",
            trigger:
                ".o_form_view:not(:has([name=change_mix])):not(:has(button[name=action_view_lines]))",
        },
        {
            content: "The review screen comes by itself when the job is done",
            trigger: `${CURRENT}:contains(Review)`,
            timeout: 60000,
        },
        changeMixHas(["Adds and reactivations 3 7.5%", "Updates 2 5.0%"]),
        {
            content: "The progress is gone, and the page was never reloaded",
            trigger: ".o_form_view:not(:has(.o_student_import_job:visible))",
            run() {
                if (!window.studentImportJobTourPage) {
                    throw new Error("the page was reloaded");
                }
            },
        },
    ],
});
