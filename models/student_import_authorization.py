import secrets
from datetime import timedelta

from passlib.context import CryptContext

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

# Codes are read aloud over the phone: no 0/O, 1/I/L, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"
CODE_LENGTH = 10
MAX_CODE_ATTEMPTS = 5
DEFAULT_CODE_MINUTES = 60
# The same scheme as Odoo's passwords: a salted, slow hash; never the code.
_CRYPT = CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=25000)

APPROVER_GROUP = "school_student_import.group_student_import_approver"


def hide_internal_fields(result, names):
    """Mark ``names`` of a ``fields_get`` result as neither searchable, groupable
    nor sortable: the search bar's custom filters and groupings leave them out."""
    for name in names & result.keys():
        result[name].update(searchable=False, groupable=False, sortable=False)
    return result


class StudentImportAuthorization(models.Model):
    _name = "student.import.authorization"
    _description = "Student Import Authorization"
    _order = "id desc"
    _rec_name = "run_id"

    run_id = fields.Many2one(
        "student.import.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [("request", "Request"), ("code", "Manual Approval Code")], required=True, readonly=True
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("used", "Used"),
        ],
        required=True,
        default="pending",
        readonly=True,
    )
    requester_id = fields.Many2one("res.users", readonly=True)
    comment = fields.Text(readonly=True)
    approver_id = fields.Many2one("res.users", readonly=True)
    decision_comment = fields.Text(readonly=True)
    decision_date = fields.Datetime(readonly=True)
    change_digest = fields.Char(readonly=True)
    code_hash = fields.Char(readonly=True, groups="base.group_system")
    expires_at = fields.Datetime(readonly=True)
    used_by_id = fields.Many2one("res.users", readonly=True)
    used_date = fields.Datetime(readonly=True)
    # What Support's desk shows of the run, without opening it.
    importer_id = fields.Many2one(related="run_id.importer_id")
    run_state = fields.Selection(related="run_id.state", string="Run State")
    count_add = fields.Integer(related="run_id.count_add", string="Students Added")
    count_reactivate = fields.Integer(related="run_id.count_reactivate")
    pct_add = fields.Float(related="run_id.pct_add", digits=(5, 1))
    count_suspicious = fields.Integer(related="run_id.count_suspicious")
    count_error_open = fields.Integer(related="run_id.count_error_open")
    adds_summary = fields.Char(
        compute="_compute_adds_summary",
        string="Adds",
        help="Adds and reactivations, in % of the roster.",
    )

    def _compute_adds_summary(self):
        for auth in self:
            run = auth.run_id
            auth.adds_summary = f"{run.count_add + run.count_reactivate} ({run.pct_add:.1f}%)"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("Authorizations are created by Submit Request or Issue Code only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Authorizations change only through Approve, Reject or a code entry.")
            )
        return super().write(vals)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        result = super().fields_get(allfields, attributes)
        return hide_internal_fields(result, {"change_digest", "code_hash"})

    # Decisions

    def _check_approver(self):
        if not self.env.user.has_group(APPROVER_GROUP):
            raise AccessError(
                self.env._("Only a Support representative may approve or reject imports.")
            )

    def _check_decidable(self):
        self.ensure_one()
        self._check_approver()
        self.check_access("read")
        if self.kind != "request" or self.state != "pending":
            raise UserError(self.env._("This request has already been decided."))
        if self.requester_id == self.env.user:
            raise UserError(self.env._("You cannot decide on a request you submitted yourself."))
        if self.run_id.state != "review":
            raise UserError(self.env._("The run is no longer in review."))

    def action_approve(self, comment=None, apply_at=None):
        """Approve the request, and have the run applied on behalf of its requester.

        ``apply_at`` empty: now (in the background when the run is big);
        a datetime: then, by the scheduler.  Either way every safeguard and
        the roster are checked again when it is applied; a refusal fails the
        run with the reason and tells the requester and the approver.  A run
        still waiting for its requester's confirmation is applied when they
        confirm.
        """
        for request in self:
            request._check_decidable()
            if request.change_digest != request.run_id.change_digest:
                raise UserError(
                    self.env._(
                        "The run was previewed again with other changes since the request: "
                        "it needs a new request."
                    )
                )
            request._decide("approved", comment, apply_at)
            request.run_id._job_after_approval(request, apply_at)
        return True

    def action_reject(self, comment):
        """Reject the request; a comment saying why is required."""
        if not (comment or "").strip():
            raise UserError(self.env._("Say why the request is rejected."))
        for request in self:
            request._check_decidable()
            request._decide("rejected", comment)
        return True

    def _decide(self, state, comment, apply_at=None):
        now = fields.Datetime.now()
        self.sudo().write(
            {
                "state": state,
                "approver_id": self.env.uid,
                "decision_comment": (comment or "").strip() or False,
                "decision_date": now,
            }
        )
        run = self.run_id.sudo()
        verb = self.env._("approved") if state == "approved" else self.env._("rejected")
        run.activity_ids.filtered(
            lambda activity: (
                activity.res_model == run._name
                and activity.summary == run._authorization_activity_summary()
            )
        ).action_feedback(feedback=self.env._("Request %(verb)s.", verb=verb))
        comment = (comment or "").strip()
        if state == "approved" and apply_at:
            next_step = self.env._(
                "It will be applied on your behalf at %(time)s (UTC), after every safeguard "
                "and the roster are checked again.",
                time=fields.Datetime.to_string(fields.Datetime.to_datetime(apply_at)),
            )
        elif state == "approved" and run.confirmation_state == "to_confirm":
            next_step = self.env._(
                "Next step: open %(run)s and confirm the large change: it is applied then.",
                run=run.name,
            )
        elif state == "approved":
            next_step = self.env._(
                "It is applied on your behalf now (in the background when it is big).",
            )
        else:
            next_step = self.env._(
                "Next step: correct the file and run it again, or submit a new request "
                "that answers this one."
            )
        body = self.env._(
            "Authorization %(verb)s by %(approver)s%(comment)s %(next)s",
            verb=verb,
            approver=self.env.user.name,
            comment=f": {comment}" if comment else ".",
            next=next_step,
        )
        # The requester is told twice, whatever their notification preference:
        # an activity (in their activity menu, e-mailed to those who get
        # e-mails) and a message in their Discuss inbox.
        # An approved run is applied for the requester, now or then: they
        # have something to do only when they still must confirm it.
        if state != "approved" or (not apply_at and run.confirmation_state == "to_confirm"):
            run.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.requester_id.id,
                summary=run._decision_activity_summary(state),
                # The decision comment is plain text: escaped, not sanitised.
                note=plaintext2html(body),
            )
        run.with_context(
            student_import_inbox_partner_ids=self.requester_id.partner_id.ids
        ).message_post(
            body=body,
            partner_ids=self.requester_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )

    # Codes

    @api.model
    def _code_minutes(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("school_student_import.code_validity_minutes", DEFAULT_CODE_MINUTES)
        )
        try:
            return max(1, int(value))
        except (TypeError, ValueError):
            return DEFAULT_CODE_MINUTES

    @api.model
    def _new_code(self, run):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self.sudo().create(
            {
                "run_id": run.id,
                "kind": "code",
                "approver_id": self.env.uid,
                "change_digest": run.change_digest,
                "code_hash": _CRYPT.hash(code),
                "expires_at": fields.Datetime.now() + timedelta(minutes=self._code_minutes()),
            }
        )
        return code

    def _matches(self, code):
        self.ensure_one()
        return bool(self.sudo().code_hash) and _CRYPT.verify(code, self.sudo().code_hash)

    def action_open_run(self):
        """Support's desk: a request opens its run, where Approve and Reject are."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "student.import.run",
            "res_id": self.run_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_decision(self):
        self.ensure_one()
        self._check_approver()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decide on the Request"),
            "res_model": "student.import.decision",
            "view_mode": "form",
            "target": "new",
            "context": {"default_authorization_id": self.id},
        }
