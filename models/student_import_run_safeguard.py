from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, plaintext2html

from .student_import_authorization import APPROVER_GROUP, MAX_CODE_ATTEMPTS
from .student_import_run import PROTECTED_FIELDS

PROTECTED_FIELDS.update({"confirmed_digest", "code_attempt_sequence_id"})


class StudentImportRun(models.Model):
    """The safeguards of the manual: a confirmation at 10%, an authorization at 20%."""

    _inherit = "student.import.run"

    confirmed_by_id = fields.Many2one("res.users", readonly=True)
    confirmed_date = fields.Datetime(readonly=True)
    confirmed_digest = fields.Char(readonly=True)
    authorization_ids = fields.One2many(
        "student.import.authorization", "run_id", string="Authorizations", readonly=True
    )
    code_attempt_sequence_id = fields.Many2one("ir.sequence", readonly=True)
    code_attempts = fields.Integer(compute="_compute_code_attempts", string="Wrong Code Entries")
    confirmation_state = fields.Selection(
        [("not_needed", "Not Needed"), ("to_confirm", "To Confirm"), ("confirmed", "Confirmed")],
        compute="_compute_safeguard_states",
    )
    authorization_state = fields.Selection(
        [
            ("not_needed", "Not Needed"),
            ("to_authorize", "To Authorize"),
            ("requested", "Requested"),
            ("rejected", "Rejected"),
            ("locked", "Locked (too many wrong codes)"),
            ("authorized", "Authorized"),
        ],
        compute="_compute_safeguard_states",
    )

    def _compute_code_attempts(self):
        for run in self:
            sequence = run.sudo().code_attempt_sequence_id
            # number_next_actual reads the PostgreSQL sequence: never from cache.
            sequence.invalidate_recordset(["number_next_actual"])
            run.code_attempts = (sequence.number_next_actual - 1) if sequence else 0

    @api.depends(
        "requires_confirmation",
        "requires_authorization",
        "confirmed_by_id",
        "confirmed_digest",
        "change_digest",
        "authorization_ids.state",
    )
    def _compute_safeguard_states(self):
        for run in self:
            if not run.requires_confirmation:
                run.confirmation_state = "not_needed"
            elif run.confirmed_by_id and run.confirmed_digest == run.change_digest:
                run.confirmation_state = "confirmed"
            else:
                run.confirmation_state = "to_confirm"
            run.authorization_state = run._authorization_state()

    def _authorization_state(self):
        self.ensure_one()
        if not self.requires_authorization:
            return "not_needed"
        current = self.sudo().authorization_ids.filtered(
            lambda auth: auth.change_digest == self.change_digest
        )
        if any(auth.state in ("approved", "used") for auth in current):
            return "authorized"
        if self.code_attempts >= MAX_CODE_ATTEMPTS:
            return "locked"
        requests = current.filtered(lambda auth: auth.kind == "request")
        if any(auth.state == "pending" for auth in requests):
            return "requested"
        if requests and requests.sorted("id")[-1].state == "rejected":
            return "rejected"
        return "to_authorize"

    # Preview

    @api.model
    def _create_from_preview(self, importer, result, data, filename, trigger):
        run = super()._create_from_preview(importer, result, data, filename, trigger)
        if run.requires_authorization:
            run._ensure_code_counter()
        return run

    def _ensure_code_counter(self):
        """Wrong code entries are counted by a PostgreSQL sequence: nextval()
        survives the rollback of the failing call, where a field written in
        that transaction would be lost and the lock would never engage."""
        for run in self:
            if not run.code_attempt_sequence_id:
                sequence = (
                    self.env["ir.sequence"]
                    .sudo()
                    .create(
                        {
                            "name": f"Wrong approval codes of {run.name}",
                            "implementation": "standard",
                            "company_id": False,
                        }
                    )
                )
                run.sudo().code_attempt_sequence_id = sequence

    # Apply

    def _check_can_apply(self):
        super()._check_can_apply()
        self.invalidate_recordset(["confirmation_state", "authorization_state", "code_attempts"])
        if self.confirmation_state == "to_confirm":
            raise UserError(
                self.env._(
                    "%(run)s needs a confirmation before it is applied:\n%(trips)s",
                    run=self.name,
                    trips=self.trip_summary,
                )
            )
        if self.authorization_state not in ("not_needed", "authorized"):
            raise UserError(
                self.env._(
                    "%(run)s needs the approval of a Support representative before it is "
                    "applied (adds of %(pct)s%% of the roster). Submit a request or enter a "
                    "manual approval code.",
                    run=self.name,
                    pct=round(self.pct_add, 1),
                )
            )

    def _check_in_review(self):
        self.ensure_one()
        if self.state != "review":
            raise UserError(
                self.env._(
                    "%(run)s is %(state)s: this is only possible while it is in review.",
                    run=self.name,
                    state=self._state_label(),
                )
            )

    def action_confirm_warning(self):
        """Staff's "Yes, apply": record who confirmed and when, then apply
        unless an authorization is still missing."""
        self.ensure_one()
        self._check_user_may_act()
        self._check_in_review()
        if not self.requires_confirmation:
            raise UserError(self.env._("%(run)s needs no confirmation.", run=self.name))
        self.sudo().write(
            {
                "confirmed_by_id": self.env.uid,
                "confirmed_date": fields.Datetime.now(),
                "confirmed_digest": self.change_digest,
            }
        )
        self.message_post(
            body=self.env._(
                "Warning confirmed by %(user)s:\n%(trips)s",
                user=self.env.user.name,
                trips=self.trip_summary,
            )
        )
        self.invalidate_recordset(["authorization_state"])
        if self.authorization_state in ("not_needed", "authorized"):
            return self.action_apply()
        return True

    # Authorization

    def _authorization_activity_summary(self):
        return self.env._("Authorize student import %(run)s", run=self.name)

    def _approvers(self):
        group = self.env.ref(APPROVER_GROUP)
        return group.sudo().users.filtered(
            lambda user: self.company_id in user.company_ids and user != self.env.user
        )

    def _check_authorization_needed(self):
        self._check_in_review()
        if not self.requires_authorization:
            raise UserError(self.env._("%(run)s needs no authorization.", run=self.name))
        if self.authorization_state == "authorized":
            raise UserError(self.env._("%(run)s is already authorized.", run=self.name))

    @api.returns("student.import.authorization", lambda request: request.id)
    def action_request_authorization(self, comment):
        """Submit Request: ask the Support representatives to approve this run.

        The comment, saying why so many students change, is required.
        Returns the new ``student.import.authorization``.
        """
        self.ensure_one()
        self._check_user_may_act()
        self._check_authorization_needed()
        comment = (comment or "").strip()
        if not comment:
            raise UserError(
                self.env._("Say why these changes are needed: the comment is required.")
            )
        if self.authorization_state == "requested":
            raise UserError(self.env._("A request for %(run)s is already waiting.", run=self.name))
        request = (
            self.env["student.import.authorization"]
            .sudo()
            .create(
                {
                    "run_id": self.id,
                    "kind": "request",
                    "requester_id": self.env.uid,
                    "comment": comment,
                    "change_digest": self.change_digest,
                }
            )
        )
        approvers = self._approvers()
        run = self.sudo()
        for approver in approvers:
            run.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=approver.id,
                summary=self._authorization_activity_summary(),
                # The comment is the requester's plain text: escaped, never
                # interpreted as HTML (sanitising would keep <b> and <img>).
                note=plaintext2html(comment),
            )
        self.message_post(
            body=self.env._(
                "Authorization requested by %(user)s: %(comment)s",
                user=self.env.user.name,
                comment=comment,
            ),
            partner_ids=approvers.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        return request.sudo(False)

    def action_issue_code(self):
        """Manual Approval, the Support side: return a one-time code for this run.

        The code is shown once and stored only as a hash; it expires, works
        for this run and this change set only, and not for its issuer.
        """
        self.ensure_one()
        if not self.env.user.has_group(APPROVER_GROUP):
            raise AccessError(self.env._("Only a Support representative may issue codes."))
        self.check_access("read")
        self._check_authorization_needed()
        if self.authorization_state == "locked":
            raise UserError(
                self.env._(
                    "Too many wrong codes were entered: unlock %(run)s first.", run=self.name
                )
            )
        self._ensure_code_counter()
        code = self.env["student.import.authorization"]._new_code(self)
        self.sudo().message_post(
            body=self.env._(
                "Manual approval code issued by %(user)s, valid %(minutes)s minutes.",
                user=self.env.user.name,
                minutes=self.env["student.import.authorization"]._code_minutes(),
            )
        )
        return code

    def action_enter_code(self, code):
        """Manual Approval, the staff side: authorize this run with a code."""
        self.ensure_one()
        self._check_user_may_act()
        self._lock_for_code_entry()
        self._check_authorization_needed()
        if self.authorization_state == "locked":
            raise UserError(
                self.env._(
                    "Too many wrong codes were entered for %(run)s. Ask your Support "
                    "representative to unlock it.",
                    run=self.name,
                )
            )
        entered = "".join((code or "").split()).replace("-", "").upper()
        codes = self.sudo().authorization_ids.filtered(lambda auth: auth.kind == "code")
        match = next((auth for auth in codes if entered and auth._matches(entered)), None)
        if match is None:
            self._count_wrong_code()
            left = MAX_CODE_ATTEMPTS - self.code_attempts
            raise UserError(
                self.env._(
                    "This code is not valid for %(run)s. Attempts left: %(left)s.",
                    run=self.name,
                    left=max(left, 0),
                )
            )
        if match.state == "used":
            raise UserError(self.env._("This code was already used."))
        if match.approver_id == self.env.user:
            raise UserError(self.env._("You cannot enter a code you issued yourself."))
        if match.expires_at < fields.Datetime.now():
            raise UserError(self.env._("This code has expired: ask for a new one."))
        if match.change_digest != self.change_digest:
            raise UserError(
                self.env._(
                    "This code was issued for other changes: the run was previewed again "
                    "since. Ask for a new code."
                )
            )
        match.write(
            {"state": "used", "used_by_id": self.env.uid, "used_date": fields.Datetime.now()}
        )
        self.message_post(
            body=self.env._(
                "Authorized with a manual approval code issued by %(approver)s, entered by "
                "%(user)s.",
                approver=match.approver_id.name,
                user=self.env.user.name,
            )
        )
        self.invalidate_recordset(["authorization_state"])
        return True

    def _lock_for_code_entry(self):
        """Take the run's row before the wrong-code counter is read.

        Parallel entries then wait for each other: each sees the count that
        the previous one left (the sequence is outside the transactions) and
        the lock engages at the limit, however many calls arrive at once.
        """
        self.env.cr.execute(
            SQL("SELECT id FROM student_import_run WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["code_attempts", "authorization_state"])

    def _count_wrong_code(self):
        self._ensure_code_counter()
        self.sudo().code_attempt_sequence_id._next()
        self.invalidate_recordset(["code_attempts", "authorization_state"])

    def action_unlock_codes(self):
        """Support: allow codes again after too many wrong entries."""
        self.ensure_one()
        if not self.env.user.has_group(APPROVER_GROUP):
            raise AccessError(self.env._("Only a Support representative may unlock codes."))
        self.check_access("read")
        if self.code_attempt_sequence_id:
            self.sudo().code_attempt_sequence_id.number_next_actual = 1
        self.invalidate_recordset(["code_attempts", "authorization_state"])
        self.sudo().message_post(
            body=self.env._("Code entry unlocked by %(user)s.", user=self.env.user.name)
        )
        return True

    # Preview Again

    def action_refresh(self):
        """Preview the same file again against the roster as it is now.

        The change set may differ: a confirmation, an approved request or a
        code given for the old one no longer counts.
        """
        self.ensure_one()
        self._check_user_may_act()
        self._check_in_review()
        importer = self.importer_id
        result = importer._engine_preview(self.attachment_id.raw, self.file_name)
        self._delete_lines()
        self.sudo().write(self._preview_values(self.company_id, result))
        self._insert_lines(result.lines)
        if self.requires_authorization:
            self._ensure_code_counter()
        self.message_post(body=self._summary_text())
        return True

    # Several at once (server actions)

    def action_apply_several(self):
        """Apply each run on its own, all-or-nothing per run; say what was refused."""
        done, refused = [], []
        for run in self:
            try:
                with self.env.cr.savepoint():
                    run.action_apply()
                done.append(run.name)
            except (UserError, AccessError) as error:
                refused.append(f"{run.name}: {error.args[0]}")
        return self._several_notification(self.env._("Apply"), done, refused)

    @api.model
    def _several_notification(self, title, done, refused):
        lines = []
        if done:
            lines.append(self.env._("Done: %(names)s.", names=", ".join(done)))
        lines.extend(self.env._("Refused: %(reason)s", reason=reason) for reason in refused)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": "\n".join(lines),
                "type": "warning" if refused else "success",
                "sticky": bool(refused),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # The web client's entry points: they open the manual's dialogs. The
    # rules themselves stay in the methods above, whoever calls them.

    def _dialog(self, model, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_run_id": self.id},
        }

    def action_start_apply(self):
        """The Apply button: ask what the safeguards need, then apply."""
        self.ensure_one()
        self._check_user_may_act()
        self.invalidate_recordset(["confirmation_state", "authorization_state"])
        # One order, said up front: errors, then the confirmation, then the
        # authorization; no dialog is opened for a run whose errors still block.
        if self.state == "review":
            self._check_no_open_errors()
        if self.state == "review" and self.confirmation_state == "to_confirm":
            return self._dialog("student.import.confirm", self.env._("Large Change"))
        if self.state == "review" and self.authorization_state not in ("not_needed", "authorized"):
            return self._dialog("student.import.authorize", self.env._("Authorization Required"))
        self.action_apply()
        return True

    def action_open_code_issue(self):
        self.ensure_one()
        return self._dialog("student.import.code.issue", self.env._("Manual Approval Code"))
