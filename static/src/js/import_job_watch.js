/** @odoo-module **/
/*
 * An import run's form follows its background job by itself: while the run
 * is queued, previewing or applying, it reloads when the server says the job
 * moved (bus), and every two seconds in case a message was missed.
 */
import { Component, onWillDestroy } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

const JOB_STATES = ["queued", "previewing", "applying"];
const POLL_MS = 2000;

export class ImportJobWatch extends Component {
    static template = "school_student_import.ImportJobWatch";
    static props = { ...standardWidgetProps };

    setup() {
        this.busService = useService("bus_service");
        this.onJob = (payload) => {
            if (payload.run_id === this.props.record.resId) {
                this.reload();
            }
        };
        this.busService.subscribe("school_student_import/run_job", this.onJob);
        this.timer = setInterval(() => {
            if (JOB_STATES.includes(this.props.record.data.state)) {
                this.reload();
            }
        }, POLL_MS);
        onWillDestroy(() => {
            clearInterval(this.timer);
            this.busService.unsubscribe("school_student_import/run_job", this.onJob);
        });
    }

    async reload() {
        const record = this.props.record;
        if (this.loading || record.dirty || !record.resId) {
            return;
        }
        this.loading = true;
        try {
            await record.load();
        } finally {
            this.loading = false;
        }
    }
}

registry.category("view_widgets").add("student_import_job_watch", {
    component: ImportJobWatch,
});
