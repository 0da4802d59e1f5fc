/** @odoo-module **/
/*
 * The file field of the Run Now dialog. Odoo's own uploader answers a file of
 * 0 bytes with "There was a problem while uploading your file", which says
 * nothing of what is wrong: this one says that the file is empty, and keeps
 * its name so that Preview says it again.
 */
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { BinaryField, binaryField } from "@web/views/fields/binary/binary_field";
import { FileUploader } from "@web/views/fields/file_handler";

export class RosterFileUploader extends FileUploader {
    async onFileChange(ev) {
        const empty = [...(ev.target.files || [])].find((file) => !file.size);
        if (!empty) {
            return super.onFileChange(ev);
        }
        this.notification.add(
            _t("%s is empty: check that the export finished, then choose the file again.", empty.name),
            { type: "danger" }
        );
        await this.props.onUploaded({ name: empty.name, size: 0, type: empty.type, data: "" });
        ev.target.value = null;
    }
}

export class RosterFileField extends BinaryField {
    static components = { ...BinaryField.components, FileUploader: RosterFileUploader };
}

registry.category("fields").add("student_import_file", {
    ...binaryField,
    component: RosterFileField,
});
