/** @odoo-module **/
/*
 * An administrator creates an importer from the Clever preset, checks a
 * sample in the mapping assistant, sends Clever's State_id to the PIN field,
 * saves, and Run Now previews a file with that mapping. Driven by
 * tests/test_ui_mapping.py, which keeps the sample as a public attachment
 * and checks the database afterwards.
 */
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";
import { chooseFile, openMenu } from "@school_student_import/../tests/tours/tour_helpers";

const SAMPLE = "clever_students.csv";

async function sampleData() {
    const [attachment] = await rpc("/web/dataset/call_kw/ir.attachment/search_read", {
        model: "ir.attachment",
        method: "search_read",
        args: [[["name", "=", SAMPLE]], ["datas"]],
        kwargs: {},
    });
    return attachment.datas;
}

const stateIdRow = ".modal .o_data_row:has(td[name=column_name]:contains(State_id))";

registry.category("web_tour.tours").add("school_student_import_mapping_assistant", {
    url: "/odoo",
    steps: () => [
        ...openMenu("student_importer_menu", "Importers"),
        {
            content: "New importer",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Clever Nightly",
        },
        {
            content: "Choose the Clever layout",
            trigger: ".o_form_view .o_field_widget[name=preset] select",
            run: 'select "clever"',
        },
        {
            content: "The layout filled the mapping, keyed on Student_number",
            trigger:
                ".o_field_widget[name=column_ids] .o_data_row:has(td[name=column_name]:contains(Student_number)) td[name=field_name]:contains(Student Number)",
        },
        {
            content: "Save the importer",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Open the mapping assistant",
            trigger: ".o_form_view button[name=action_open_mapping]",
            run: "click",
        },
        {
            content: "Upload the sample",
            trigger: ".modal .o_field_widget[name=file]",
            async run() {
                await chooseFile("file", SAMPLE, await sampleData());
            },
        },
        {
            content: "Clever's internal Student_id is shown, ignored",
            trigger: ".modal .o_data_row:has(td[name=column_name]:contains(Student_id)) td[name=how]:contains(Ignored)",
        },
        {
            content: "State_id is ignored for now; its first values are shown",
            trigger: `${stateIdRow} td[name=sample]:contains(IL)`,
        },
        {
            content: "Change State_id's field",
            trigger: `${stateIdRow} td[name=field_name]`,
            run: "click",
        },
        {
            trigger: `${stateIdRow} td[name=field_name] select`,
            run: 'select "pin"',
        },
        {
            content: "Save the mapping",
            trigger: ".modal-footer button[name=action_save]",
            run: "click",
        },
        {
            content: "The importer's mapping now sends State_id to the PIN",
            trigger:
                "body:not(:has(.modal)) .o_field_widget[name=column_ids] .o_data_row:has(td[name=column_name]:contains(State_id)) td[name=field_name]:contains(PIN)",
        },
        {
            content: "Run Now",
            trigger: ".o_form_view .o_form_statusbar button[name=action_run_now]",
            run: "click",
        },
        {
            content: "Upload the day's file",
            trigger: ".modal .o_field_widget[name=file]",
            async run() {
                await chooseFile("file", SAMPLE, await sampleData());
            },
        },
        {
            trigger: `.modal .o_field_widget[name=file] input.o_input:value(${SAMPLE})`,
        },
        {
            content: "Preview",
            trigger: ".modal-footer button[name=action_run]",
            run: "click",
        },
        {
            content: "The run waits for review",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Review)",
        },
    ],
});
