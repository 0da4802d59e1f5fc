import logging
import os
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..engine import folder as folder_engine

_logger = logging.getLogger(__name__)

BASE_FOLDER_PARAM = "school_student_import.base_folder"
SETTLE_SECONDS_PARAM = "school_student_import.settle_seconds"
FOLDER_FIELDS = ("source", "folder", "file_pattern", "archive_folder", "failed_folder")


class StudentImporter(models.Model):
    """The importer's source: an upload (Run Now's dialog) or a server folder.

    A folder importer reads the newest matching file of its folder that it
    never imported, previews it, and moves it to the archive folder (or, when
    unreadable, to the failed folder).  Every path lies below the base
    folder of the system parameter ``school_student_import.base_folder``.
    """

    _inherit = "student.importer"

    source = fields.Selection(
        [("upload", "Upload"), ("folder", "Server folder")],
        default="upload",
        required=True,
        tracking=True,
    )
    folder = fields.Char(
        tracking=True,
        help="Where the SIS drops its exports, below the base folder (relative to it, or "
        "absolute).",
    )
    file_pattern = fields.Char(
        default="*.csv",
        tracking=True,
        help="Which files of the folder to read, e.g. *.csv or students_*.xlsx.",
    )
    archive_folder = fields.Char(
        tracking=True,
        help="Where read files go, renamed after their run. Default: the folder's archive "
        "subfolder.",
    )
    failed_folder = fields.Char(
        tracking=True,
        help="Where unreadable files go. Default: the folder's failed subfolder.",
    )
    wait_for_marker = fields.Boolean(
        string="Wait for a .done Marker",
        help="Read a file only once the export has written <file>.done next to it, instead "
        "of waiting until the file has stopped growing.",
    )
    auto_apply = fields.Boolean(
        tracking=True,
        help="Apply a folder run by itself when nothing needs a person: no safeguard "
        "reached, no error, no suspicious line, no warning. Otherwise the run waits in "
        "review and the responsible users are told why.",
    )

    @api.constrains(*FOLDER_FIELDS)
    def _check_folder_paths(self):
        for importer in self.filtered(lambda imp: imp.source == "folder"):
            try:
                importer._folder_paths()
            except UserError as error:
                raise ValidationError(error.args[0]) from None
            if "/" in (importer.file_pattern or "") or "\\" in (importer.file_pattern or ""):
                raise ValidationError(
                    self.env._(
                        "The file pattern of %(name)s names files, not folders: %(pattern)s.",
                        name=importer.name,
                        pattern=importer.file_pattern,
                    )
                )

    # Paths

    @api.model
    def _base_folder(self):
        return (self.env["ir.config_parameter"].sudo().get_param(BASE_FOLDER_PARAM) or "").strip()

    def _folder_paths(self):
        """``(folder, archive, failed)``, real paths checked against the base folder.

        Checked when the importer is saved and again each time the folder
        is read: a symbolic link may have been changed in between.
        """
        self.ensure_one()
        base = self._base_folder()
        try:
            folder = folder_engine.resolve_below(base, self.folder, what="Folder")
            archive = folder_engine.resolve_below(
                base, self.archive_folder or os.path.join(folder, "archive"), what="Archive folder"
            )
            failed = folder_engine.resolve_below(
                base, self.failed_folder or os.path.join(folder, "failed"), what="Failed folder"
            )
        except folder_engine.FolderError as error:
            raise UserError(
                self.env._("Importer %(name)s: %(error)s", name=self.name, error=error)
            ) from None
        return folder, archive, failed

    # Run Now

    def action_run_now(self):
        """Run Now: the upload dialog, or at once for a folder importer."""
        self.ensure_one()
        if self.source != "folder":
            return super().action_run_now()
        run = self.action_run_folder_now()
        if run:
            return {
                "type": "ir.actions.act_window",
                "res_model": "student.import.run",
                "res_id": run.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Run Now"),
                "message": self.env._(
                    "No new file in the folder of %(name)s.", name=self.display_name
                ),
                "type": "info",
            },
        }

    @api.returns("student.import.run", lambda run: run.id if run else False)
    def action_run_folder_now(self):
        """Read this importer's folder at once; return the run, or False when no new file.

        The same path as the scheduler's (newest new file, archive, auto-apply
        when nothing needs a person), as the user who asks.  Refused while the
        importer is running elsewhere, or while its file is still being written.
        """
        self.ensure_one()
        if not self.env.user.has_group("school_student_import.group_student_import_user"):
            raise AccessError(self.env._("Only Student Import users may run imports."))
        self.check_access("read")
        if self.source != "folder":
            raise UserError(
                self.env._(
                    "%(name)s reads uploaded files: use Run Now to upload one.", name=self.name
                )
            )
        if not self._try_lock():
            raise UserError(
                self.env._(
                    "%(name)s is running already (the scheduler or another user): try again "
                    "in a moment.",
                    name=self.name,
                )
            )
        run, waiting, moves = self._run_folder("manual")
        if waiting:
            raise UserError(waiting)
        self._move_after_commit(moves)
        return run or False

    # Reading the folder

    def _run_folder(self, trigger):
        """Read the folder once, under the importer's lock: ``(run, waiting, moves)``.

        ``run`` is the new run (in review, applied, or failed) or an empty
        recordset when no new file is ready; ``waiting`` says which file is
        not ready yet; ``moves`` are the files to move, which the caller hands
        to :meth:`_move_after_commit` once this work can no longer be rolled
        back to a savepoint.  Files move only after the commit: a crash before
        leaves them in place to be read again, never a run undone with its
        file gone.
        """
        self.ensure_one()
        Run = self.env["student.import.run"]
        folder, archive, failed = self._folder_paths()
        try:
            files = folder_engine.candidates(folder, self.file_pattern, self._base_folder())
        except folder_engine.FolderError as error:
            raise UserError(
                self.env._("Importer %(name)s: %(error)s", name=self.name, error=error)
            ) from None
        # Failed runs do not count: the same file may read once the importer is mended.
        imported = {
            row["file_hash"]: row["name"]
            for row in Run.sudo().search_read(
                [
                    ("importer_id", "=", self.id),
                    ("state", "!=", "failed"),
                    ("file_hash", "!=", False),
                ],
                ["file_hash", "name"],
                order="id",
            )
        }
        run, moves = Run, []
        for candidate in files:
            try:
                digest = folder_engine.file_sha256(candidate.path)
            except OSError as error:
                digest, unreadable = "", error.strerror
            else:
                unreadable = ""
            if digest in imported:
                self._skip_duplicate(candidate, archive, imported[digest], moves)
                continue
            if run:
                self._set_aside(candidate, archive, run, moves)
                continue
            waiting = not unreadable and self._not_ready(candidate)
            if waiting:
                return Run, waiting, []
            run = self._read_file(candidate, digest, unreadable, trigger, (archive, failed), moves)
            if run.state != "failed":
                imported[digest] = run.name
        return run, "", moves

    def _not_ready(self, candidate):
        """Why ``candidate`` is not to be read yet, or an empty string."""
        if self.wait_for_marker:
            if folder_engine.has_marker(candidate.path):
                return ""
            return self.env._(
                "%(file)s has no %(marker)s marker yet: the export is not finished.",
                file=candidate.name,
                marker=folder_engine.MARKER_SUFFIX,
            )
        seconds = float(self.env["ir.config_parameter"].sudo().get_param(SETTLE_SECONDS_PARAM) or 5)
        if folder_engine.is_settled(candidate.path, seconds, self._folder_sleep):
            return ""
        return self.env._(
            "%(file)s is still being written: it is read once it stops growing.",
            file=candidate.name,
        )

    def _folder_sleep(self, seconds):
        # A method of its own so that tests can stand in for a writer.
        time.sleep(seconds)

    def _read_file(self, candidate, digest, unreadable, trigger, folders, moves):
        """Preview ``candidate``; an unreadable file gives a failed run instead."""
        archive, failed = folders
        reason = unreadable
        data = b""
        if not reason:
            try:
                with open(candidate.path, "rb") as handle:
                    data = handle.read()
                with self.env.cr.savepoint():
                    run = self.run_import(data, candidate.name, trigger=trigger)
            except OSError as error:
                reason = error.strerror
            except UserError as error:
                reason = error.args[0]
        if reason:
            run = self.env["student.import.run"]._create_failed(
                self, candidate.name, data, digest, trigger, reason
            )
            self._move_later(candidate, failed, run, self.env._("Failed folder"), moves)
            return run
        self._move_later(candidate, archive, run, self.env._("Archive folder"), moves)
        run._after_folder_preview(trigger)
        return run

    def _move_later(self, candidate, target_folder, run, where, moves):
        """Move the file once the run is committed; say where on the run."""
        target = folder_engine.target_in(target_folder, candidate.path, run.name)
        moves.append((candidate.path, target_folder, run.name))
        run.sudo().message_post(
            body=self.env._(
                "Read from %(path)s; moves to the %(where)s as %(target)s.",
                path=candidate.path,
                where=where.lower(),
                target=os.path.basename(target),
            )
        )

    def _skip_duplicate(self, candidate, archive, run_name, moves):
        moves.append((candidate.path, archive, f"duplicate-of-{run_name}"))
        self.sudo().message_post(
            body=self.env._(
                "%(file)s skipped: the same content was imported by %(run)s. It moves to "
                "the archive folder.",
                file=candidate.name,
                run=run_name,
            )
        )

    def _set_aside(self, candidate, archive, run, moves):
        """An older new file than the run's: importing it later would undo the newer one."""
        moves.append((candidate.path, archive, f"superseded-by-{run.name}"))
        self.sudo().message_post(
            body=self.env._(
                "%(file)s skipped: %(run)s read a newer file. It moves to the archive folder.",
                file=candidate.name,
                run=run.name,
            )
        )

    def _move_after_commit(self, moves):
        """Move files (``(path, folder, label)``) once the transaction is committed."""
        if not moves:
            return

        def move():
            for path, target_folder, label in moves:
                try:
                    folder_engine.move(path, target_folder, label)
                except OSError as error:
                    # The transaction is over: the log is the only place left.
                    # The file stays; its hash keeps it from being imported twice.
                    _logger.error("Could not move %s to %s: %s", path, target_folder, error)

        self.env.cr.postcommit.add(move)
