from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .. import engine
from .student_import_run import PROTECTED_FIELDS

PROTECTED_FIELDS.update({"failure_reason"})


class StudentImportRun(models.Model):
    """Runs of folder importers: failed files, auto-apply, and telling people why not."""

    _inherit = "student.import.run"

    failure_reason = fields.Text(readonly=True)

    @api.model
    def _create_failed(self, importer, filename, data, digest, trigger, reason):
        """A ``failed`` run for a file that could not be read, with the reason."""
        run = self.sudo().create(
            {
                "importer_id": importer.id,
                "company_id": importer.company_id.id,
                "state": "failed",
                "trigger": trigger,
                "file_name": filename,
                "file_hash": digest,
                "failure_reason": reason,
            }
        )
        if data:
            run.attachment_id = run.sudo()._attach_file(data, filename)
        run.message_post(
            body=self.env._("%(file)s could not be read: %(reason)s", file=filename, reason=reason)
        )
        importer.sudo().message_post(
            body=self.env._(
                "%(run)s failed: %(file)s could not be read: %(reason)s",
                run=run.name,
                file=filename,
                reason=reason,
            )
        )
        return run.with_env(self.env)

    def _review_reasons(self):
        """Why this run needs a person, one sentence each; empty when nothing does."""
        self.ensure_one()
        reasons = []
        if self.requires_authorization:
            reasons.append(
                self.env._(
                    "Adds %(pct)s%% of the roster: authorization needed",
                    pct=round(self.pct_add, 1),
                )
            )
        if self.requires_confirmation:
            # The summary's lines are "<Rule>: <figures>", as _preview_values writes them.
            for trip in (self.trip_summary or "").splitlines():
                if trip.lower().startswith(engine.policy.WARNING):
                    reasons.append(
                        self.env._(
                            "%(trip)s: confirmation needed",
                            trip=trip.partition(":")[2].strip(),
                        )
                    )
        if self.count_error_open:
            reasons.append(
                self.env._("Rows that cannot be used: %(count)s", count=self.count_error_open)
            )
        if self.count_suspicious:
            reasons.extend(self._suspicious_reasons())
        reasons.extend(line for line in (self.signal_summary or "").splitlines() if line)
        return reasons

    def _suspicious_reasons(self):
        """The most frequent suspicious values, as the preview counted them
        ("45 last names look like street addresses")."""
        top = [line for line in (self.suspicious_top or "").splitlines() if line]
        return top or [self.env._("Suspicious lines: %(count)s", count=self.count_suspicious)]

    def _after_folder_preview(self, trigger):
        """Apply by itself when the importer allows it and nothing needs a person.

        Otherwise the run stays in review and the importer's responsible
        users are told why.  Apply goes through the run's own checks, every
        safeguard included, whoever the caller: a scheduled run never
        bypasses one, even if the reasons above missed something.
        """
        self.ensure_one()
        if self.state in ("queued", "previewing"):
            # A big file: the background job calls this again once its
            # preview is stored (student_import_run_job.py).
            return
        importer = self.importer_id
        reasons = self._review_reasons()
        if not importer.auto_apply:
            reasons.insert(0, self.env._("Auto-apply is off: every run waits for a person"))
        if not reasons:
            try:
                with self.env.cr.savepoint():
                    if trigger == "scheduled":
                        # The scheduler (OdooBot) is no clerk: _apply() checks
                        # every safeguard but not the Student Import group.
                        self._apply()
                    else:
                        self.action_apply()
                    self.sudo().message_post(
                        body=self.env._("Applied by itself: nothing needed a person.")
                    )
                return
            except UserError as error:
                reasons.append(error.args[0])
        self._notify_review(reasons)

    def _notify_review(self, reasons):
        """An activity and a message for the responsible users: the counts and the reasons."""
        self.ensure_one()
        importer = self.importer_id.sudo()
        users = importer.responsible_ids.filtered(lambda user: user.active)
        counts = self._summary_text()
        summary = self.env._(
            "%(run)s stays in review: %(reasons)s.", run=self.name, reasons="; ".join(reasons)
        )
        body = plaintext2html(f"{summary}\n{counts}")
        run = self.sudo()
        for user in users:
            run.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Review student import %(run)s", run=self.name),
                note=body,
            )
        run.message_post(
            body=body,
            partner_ids=users.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        importer.message_post(body=summary)
        if not users:
            importer.message_post(
                body=self.env._(
                    "No responsible user is set on %(name)s: nobody was told about %(run)s.",
                    name=importer.name,
                    run=self.name,
                )
            )
