/** @odoo-module **/
/*
 * Run Now refuses what it cannot read, in words a clerk understands: a file
 * of 0 bytes is "empty" (not Odoo's "There was a problem while uploading your
 * file"), and a file past the importer's row limit names the limit. Driven
 * by tests/test_limits.py, which sets the importer's Max Rows to 20.
 */
import { registry } from "@web/core/registry";
import { openMenu, textOf, waitUntil } from "@school_student_import/../tests/tours/tour_helpers";

const FILE_INPUT = ".modal .o_field_widget[name=file] input.o_input_file";

/** Put a file of `content` named `name` in the dialog's file field, as a person would. */
function chooseFile(name, content) {
    return {
        content: `Choose ${name}`,
        trigger: ".modal .o_field_widget[name=file]",
        run() {
            const input = document.querySelector(FILE_INPUT);
            const transfer = new DataTransfer();
            transfer.items.add(new File(content ? [content] : [], name, { type: "text/csv" }));
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

/** Preview, read the error dialog's message, close it. */
function previewRefused(expected) {
    return [
        {
            content: "Preview",
            trigger: ".modal-footer button[name=action_run]",
            run: "click",
        },
        {
            content: `The refusal says: ${expected}`,
            trigger: `.o_error_dialog .modal-body:contains(${expected})`,
        },
        {
            content: "Close the refusal",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Back to the Run Now dialog",
            trigger: "body:not(:has(.o_error_dialog)) .modal-footer button[name=action_run]",
        },
    ];
}

const HEADER = "Student_Number,First_Name,Last_Name,Grade_Level,DOB,School_Code";
const ROWS = Array.from(
    { length: 30 },
    (_value, n) => `${300001 + n},New${n},Kid,1,02/02/2019,LIN`
).join("\n");

registry.category("web_tour.tours").add("school_student_import_refusals", {
    url: "/odoo",
    steps: () => [
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
        chooseFile("empty.csv", ""),
        {
            content: "The notification says the file is empty",
            trigger: ".o_notification:contains(empty.csv is empty)",
            async run() {
                await waitUntil(() => {
                    const texts = [...document.querySelectorAll(".o_notification")].map(textOf);
                    return (
                        !texts.some((text) => text.includes("There was a problem")) ||
                        texts.join(" | ")
                    );
                }, "no generic upload error");
            },
        },
        ...previewRefused("empty.csv is empty: check that the export finished"),
        chooseFile("too_long.csv", `${HEADER}\n${ROWS}\n`),
        {
            content: "The file's name is shown",
            trigger: ".modal .o_field_widget[name=file] input[type=text]:value(too_long.csv)",
        },
        ...previewRefused("the file has more than 20 rows, over the limit of 20 rows"),
        {
            content: "Close the Run Now dialog",
            trigger: ".modal-footer button.btn-secondary:contains(Close)",
            run: "click",
        },
        {
            content: "Back on the importer",
            trigger: "body:not(:has(.modal)) .o_form_view .o_form_statusbar button[name=action_run_now]",
        },
    ],
});
