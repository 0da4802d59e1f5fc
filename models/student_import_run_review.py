from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .student_import_authorization import APPROVER_GROUP, hide_internal_fields

# Fields that serve the safeguards' bookkeeping: nobody filters or groups
# runs by them, so the search bar's custom filters and groupings leave them out.
INTERNAL_FIELDS = {
    "change_digest",
    "confirmed_digest",
    "roster_fingerprint",
    "code_attempt_sequence_id",
    "columns_used",
    "suspicious_top",
    "trip_summary",
    "signal_summary",
}
# Lines the run's form lists: one page of its list.  The form never holds all
# of a run's lines: the web client reads every id of a one2many it shows, and
# sorts them, which is seconds for a first load of 100,000 students; Review
# Changes pages through them all.
FORM_LINES = 80


class StudentImportRun(models.Model):
    """What the review screen tells a clerk and a Support representative:
    what is left before Apply, the change mix against the thresholds, who
    decides, and who is told."""

    _inherit = "student.import.run"

    pending_request_id = fields.Many2one(
        "student.import.authorization", compute="_compute_pending_request_id"
    )
    can_decide = fields.Boolean(
        compute="_compute_pending_request_id",
        help="The current user may approve or reject the pending request.",
    )
    apply_checklist = fields.Html(compute="_compute_apply_checklist", sanitize=False)
    change_mix = fields.Html(compute="_compute_change_mix", sanitize=False)
    error_notice = fields.Char(compute="_compute_error_notice")
    first_line_ids = fields.One2many(
        "student.import.line",
        compute="_compute_first_line_ids",
        inverse="_inverse_first_line_ids",
        string="First Lines",
        help="The lines to look at first: errors, then suspicious lines, then the others in "
        "the order of Review Changes, which lists them all.",
    )
    first_lines_note = fields.Char(compute="_compute_first_line_ids")

    @api.depends("authorization_ids.state", "change_digest")
    @api.depends_context("uid")
    def _compute_pending_request_id(self):
        is_approver = self.env.user.has_group(APPROVER_GROUP)
        for run in self:
            pending = (
                run.sudo()
                .authorization_ids.filtered(
                    lambda auth: auth.kind == "request" and auth.state == "pending"
                )
                .sorted("id")[-1:]
            )
            run.pending_request_id = pending.sudo(False)
            run.can_decide = bool(
                is_approver
                and pending
                and run.state == "review"
                and pending.requester_id != self.env.user
            )

    def _compute_error_notice(self):
        for run in self:
            count = run.count_error_open
            if not count:
                run.error_notice = False
            elif count == 1:
                run.error_notice = self.env._(
                    "1 row of the file cannot be used. Fix the file and run it again, or "
                    "exclude it to apply the rest."
                )
            else:
                run.error_notice = self.env._(
                    "%(count)s rows of the file cannot be used. Fix the file and run it "
                    "again, or exclude them to apply the rest.",
                    count=count,
                )

    def _compute_first_line_ids(self):
        # Each in the preview's order (by change type, then file row), which
        # the indexes on (run_id, sequence) give without reading the run's
        # other lines.  Kinds that the preview did not count are not looked
        # for: until PostgreSQL's statistics have seen a new run, it may walk
        # all its lines to find none.  As superuser: whoever reads the run
        # reads its lines (of its company), and the company rule's condition
        # is one more for PostgreSQL to misjudge.
        Line = self.env["student.import.line"].sudo()
        for run in self:
            lines = Line
            kinds = (
                (run.count_error, [("change_type", "=", "error")]),
                (run.count_suspicious, [("change_type", "!=", "error"), ("suspicious", "=", True)]),
                (True, [("change_type", "!=", "error"), ("suspicious", "=", False)]),
            )
            for counted, domain in kinds:
                if counted and len(lines) < FORM_LINES:
                    lines += Line.search(
                        [("run_id", "=", run.id), *domain],
                        order="sequence, id",
                        limit=FORM_LINES - len(lines),
                    )
            run.first_line_ids = lines
            # The preview's counts: counting the stored lines would read them all.
            total = (
                run.count_add
                + run.count_update
                + run.count_inactivate
                + run.count_reactivate
                + run.count_error
            )
            run.first_lines_note = False
            if len(lines) == FORM_LINES and total > FORM_LINES:
                run.first_lines_note = self.env._(
                    "The first %(shown)s of %(total)s lines: errors, then suspicious lines, "
                    "then the others by change type.",
                    shown=FORM_LINES,
                    total=f"{total:,}",
                )

    def _inverse_first_line_ids(self):
        # Nothing to store on the run: the list's Excluded toggles reach the
        # lines as commands, which the one2many writes on each line itself
        # (through the line's own rules).
        return

    # The checklist: errors, then the confirmation, then the authorization

    def _checklist_items(self):
        """``[(done, text)]``: what Apply needs, in the order it asks for it."""
        self.ensure_one()
        items = []
        if self.count_error_open:
            items.append(
                (
                    False,
                    self.env._(
                        "%(count)s error lines to exclude (Exclude Errors), or fix the file",
                        count=self.count_error_open,
                    )
                    if self.count_error_open > 1
                    else self.env._("1 error line to exclude (Exclude Errors), or fix the file"),
                )
            )
        elif self.count_error:
            items.append((True, self.env._("Error lines excluded")))
        if self.confirmation_state == "to_confirm":
            items.append((False, self.env._("Confirmation of the large change: Apply asks for it")))
        elif self.confirmation_state == "confirmed":
            items.append(
                (True, self.env._("Confirmed by %(user)s", user=self.confirmed_by_id.name))
            )
        items.extend(self._checklist_authorization())
        return items

    def _checklist_authorization(self):
        state = self.authorization_state
        if state == "not_needed":
            return []
        requests = self.sudo().authorization_ids.filtered(
            lambda auth: auth.kind == "request" and auth.change_digest == self.change_digest
        )
        last = requests.sorted("id")[-1:]
        if state == "authorized":
            granted = self.sudo().authorization_ids.filtered(
                lambda auth: (
                    auth.state in ("approved", "used") and auth.change_digest == self.change_digest
                )
            )[:1]
            return [
                (
                    True,
                    self.env._(
                        "Authorization: approved by %(user)s", user=granted.approver_id.name or "?"
                    ),
                )
            ]
        if state == "requested":
            return [
                (
                    False,
                    self.env._(
                        "Authorization: requested %(ago)s by %(user)s, waiting for Support",
                        ago=self._ago(last.create_date),
                        user=last.requester_id.name,
                    ),
                )
            ]
        if state == "rejected":
            return [
                (
                    False,
                    self.env._(
                        "Authorization: rejected by %(user)s (%(why)s); submit a new request "
                        "or correct the file",
                        user=last.approver_id.name,
                        why=last.decision_comment or "",
                    ),
                )
            ]
        if state == "locked":
            return [
                (
                    False,
                    self.env._(
                        "Authorization: code entry locked after too many wrong codes; ask "
                        "Support to unlock it"
                    ),
                )
            ]
        return [
            (
                False,
                self.env._("Authorization by Support: Apply asks for a request or a code"),
            )
        ]

    def _ago(self, when):
        minutes = int((fields.Datetime.now() - when).total_seconds() // 60) if when else 0
        if minutes < 1:
            return self.env._("just now")
        if minutes < 60:
            return self.env._("%(n)s min ago", n=minutes)
        if minutes < 48 * 60:
            return self.env._("%(n)s h ago", n=minutes // 60)
        return self.env._("%(n)s days ago", n=minutes // (24 * 60))

    @api.depends(
        "state", "count_error_open", "confirmation_state", "authorization_state", "apply_at"
    )
    def _compute_apply_checklist(self):
        for run in self:
            if run.state != "review":
                run.apply_checklist = False
                continue
            items = run._checklist_items()
            rows = Markup("").join(
                Markup(
                    '<li class="{cls}"><i class="fa {icon} me-2" role="img" '
                    'aria-label="{label}"></i>{text}</li>'
                ).format(
                    cls="text-success" if done else "fw-bold",
                    icon="fa-check-square-o" if done else "fa-square-o",
                    label=self.env._("Done") if done else self.env._("To do"),
                    text=text,
                )
                for done, text in items
            )
            left = [text for done, text in items if not done]
            if run.apply_at:
                tail = self.env._("Scheduled: the system applies it at the time above.")
            elif left:
                tail = self.env._("Then press Apply.")
            else:
                tail = self.env._("Ready: press Apply.")
            run.apply_checklist = Markup(
                '<div class="o_student_import_checklist"><strong>{title}</strong>'
                '<ul class="list-unstyled mb-0">{rows}<li class="text-muted">{tail}</li></ul>'
                "</div>"
            ).format(
                title=self.env._("Before Apply"),
                rows=rows,
                tail=tail,
            )

    # The change mix against the thresholds

    def _mix_rows(self):
        self.ensure_one()
        thresholds = self.importer_id._thresholds()
        return [
            (
                self.env._("Adds and reactivations"),
                self.count_add + self.count_reactivate,
                self.pct_add,
                thresholds.warn_add,
                thresholds.auth_add,
            ),
            (
                self.env._("Updates"),
                self.count_update,
                self.pct_update,
                thresholds.warn_update,
                None,
            ),
            (
                self.env._("Inactivations"),
                self.count_inactivate,
                self.pct_inactivate,
                thresholds.warn_inactivate,
                None,
            ),
        ]

    @api.depends("count_add", "count_reactivate", "count_update", "count_inactivate")
    def _compute_change_mix(self):
        for run in self:
            rows = run._mix_rows()
            marks = [mark for row in rows for mark in row[3:] if mark]
            # The axis runs past the highest mark and the highest bar, so that
            # both are always in sight.
            scale = max([*marks, *(row[2] for row in rows), 1.0]) * 1.25
            body = Markup("").join(run._mix_row(row, scale) for row in rows)
            run.change_mix = Markup(
                '<table class="table table-sm table-borderless mb-0 o_student_import_mix">'
                "<tbody>{body}</tbody></table>"
            ).format(body=body)

    def _mix_row(self, row, scale):
        label, count, pct, warn, auth = row
        color = "bg-success"
        if auth and pct >= auth:
            color = "bg-danger"
        elif warn and pct >= warn:
            color = "bg-warning"
        marks = Markup("").join(
            Markup(
                '<span class="position-absolute top-0 h-100 border-start border-2 {cls}" '
                'style="left: {left:.1f}%;" title="{title}"></span>'
                '<small class="position-absolute {cls2}" style="left: {left:.1f}%; top: 100%;">'
                "{value}%</small>"
            ).format(
                cls="border-dark" if kind == "auth" else "border-warning",
                cls2="text-danger" if kind == "auth" else "text-warning",
                left=100.0 * value / scale,
                title=self.env._("Authorization at %(pct)s%%", pct=_one(value))
                if kind == "auth"
                else self.env._("Confirmation at %(pct)s%%", pct=_one(value)),
                value=_one(value),
            )
            for kind, value in (("warn", warn), ("auth", auth))
            if value
        )
        return Markup(
            '<tr><td class="text-nowrap pe-3">{label}</td>'
            '<td class="text-end text-nowrap pe-2"><strong>{count}</strong></td>'
            '<td class="text-end text-nowrap pe-3">{pct}%</td>'
            '<td class="w-100 pb-4"><div class="position-relative" style="height: 1rem;">'
            '<div class="progress h-100"><div class="progress-bar {color}" role="progressbar" '
            'style="width: {width:.1f}%;" aria-valuenow="{pct}" aria-valuemin="0" '
            'aria-valuemax="100"></div></div>{marks}</div></td></tr>'
        ).format(
            label=label,
            count=count,
            pct=_one(pct),
            color=color,
            width=min(100.0, 100.0 * pct / scale),
            marks=marks,
        )

    # Who is told

    def _decision_activity_summary(self, state):
        if state == "approved":
            return self.env._("Apply student import %(run)s: authorized", run=self.name)
        return self.env._("Student import %(run)s: authorization rejected", run=self.name)

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        """A decision reaches the requester's Discuss inbox even when they
        get their notifications by e-mail (the activity is e-mailed)."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        inbox = self.env.context.get("student_import_inbox_partner_ids") or ()
        for data in recipients:
            if data["id"] in inbox and data.get("uid") and not data.get("share"):
                data["notif"] = "inbox"
        return recipients

    def _apply(self):
        result = super()._apply()
        summary = self._decision_activity_summary("approved")
        self.sudo().activity_ids.filtered(lambda act: act.summary == summary).action_feedback(
            feedback=self.env._("Applied.")
        )
        return result

    # Search bar

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        return hide_internal_fields(super().fields_get(allfields, attributes), INTERNAL_FIELDS)

    # Buttons

    def action_view_suspicious(self):
        action = self.action_view_lines()
        action["context"] = dict(action["context"], search_default_suspicious=1)
        action["display_name"] = self.env._("Suspicious changes of %(run)s", run=self.name)
        return action

    def action_open_decision(self):
        """Approve / Reject in the header: the pending request's decision dialog."""
        self.ensure_one()
        if not self.pending_request_id:
            raise UserError(
                self.env._("No request for %(run)s waits for a decision.", run=self.name)
            )
        return self.pending_request_id.action_open_decision()


def _one(value):
    """A percentage as the review screen shows it everywhere: one decimal."""
    return f"{value or 0.0:.1f}"
