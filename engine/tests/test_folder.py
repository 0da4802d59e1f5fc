"""Server folders: paths stay below the base folder, files are picked and moved safely."""

import os

import pytest

from engine import folder


@pytest.fixture
def base(tmp_path):
    (tmp_path / "inbox").mkdir()
    return str(tmp_path)


def touch(path, data=b"x", mtime=None):
    with open(path, "wb") as handle:
        handle.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return str(path)


def test_relative_and_absolute_paths_inside_the_base_resolve(base):
    inbox = os.path.join(os.path.realpath(base), "inbox")
    assert folder.resolve_below(base, "inbox") == inbox
    assert folder.resolve_below(base, inbox) == inbox
    assert folder.resolve_below(base, "inbox/../inbox/new") == os.path.join(inbox, "new")


@pytest.mark.parametrize("path", ["..", "../x", "inbox/../../x", "/etc", "/"])
def test_paths_that_leave_the_base_are_refused_naming_it(base, path):
    with pytest.raises(folder.FolderError, match=f"outside the base folder {base}"):
        folder.resolve_below(base, path)


def test_a_symlink_that_points_out_is_refused(base, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    os.symlink(outside, os.path.join(base, "out"))
    with pytest.raises(folder.FolderError, match="Folder out is outside"):
        folder.resolve_below(base, "out")
    with pytest.raises(folder.FolderError, match="outside"):
        folder.resolve_below(base, "out/deeper")


def test_a_prefix_of_the_base_is_not_inside_it(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base-evil").mkdir()
    with pytest.raises(folder.FolderError, match="outside"):
        folder.resolve_below(str(tmp_path / "base"), str(tmp_path / "base-evil"))


def test_no_base_means_folder_importers_are_off():
    with pytest.raises(folder.FolderError, match="Folder importers are off"):
        folder.resolve_below("", "inbox")


def test_candidates_match_the_pattern_newest_first_without_markers(base):
    inbox = os.path.join(base, "inbox")
    touch(os.path.join(inbox, "students_1.csv"), mtime=1000)
    touch(os.path.join(inbox, "students_2.csv"), mtime=2000)
    touch(os.path.join(inbox, "students_2.csv.done"), mtime=3000)
    touch(os.path.join(inbox, "staff.csv"), mtime=4000)
    os.mkdir(os.path.join(inbox, "students_dir.csv"))
    names = [c.name for c in folder.candidates(inbox, "students_*.csv", base)]
    assert names == ["students_2.csv", "students_1.csv"]


def test_a_file_linked_out_of_the_base_is_refused(base, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    secret = touch(outside / "secret.csv")
    os.symlink(secret, os.path.join(base, "inbox", "a.csv"))
    with pytest.raises(folder.FolderError, match="File .*a.csv is outside"):
        folder.candidates(os.path.join(base, "inbox"), "*.csv", base)


def test_a_missing_folder_says_so(base):
    with pytest.raises(folder.FolderError, match="does not exist"):
        folder.candidates(os.path.join(base, "nowhere"), "*.csv", base)


def test_a_growing_file_is_not_settled(base):
    path = touch(os.path.join(base, "inbox", "a.csv"), mtime=1000)

    def writer(_seconds):
        with open(path, "ab") as handle:
            handle.write(b"more")

    assert not folder.is_settled(path, 1, writer)
    os.utime(path, (1000, 1000))
    assert folder.is_settled(path, 1, lambda _seconds: None)


def test_move_names_the_run_never_overwrites_and_drops_the_marker(base):
    inbox = os.path.join(base, "inbox")
    archive = os.path.join(inbox, "archive")
    first = touch(os.path.join(inbox, "a.csv"), b"one")
    touch(first + ".done")
    assert folder.move(first, archive, "IMP/2026/00001") == os.path.join(
        archive, "a.IMP-2026-00001.csv"
    )
    assert not os.path.exists(first + ".done")
    second = touch(os.path.join(inbox, "a.csv"), b"two")
    assert folder.move(second, archive, "IMP/2026/00001").endswith("a.IMP-2026-00001-2.csv")
    assert sorted(os.listdir(inbox)) == ["archive"]


def test_sha256_reads_the_whole_file(base):
    path = touch(os.path.join(base, "a.csv"), b"abc" * 1000)
    assert folder.file_sha256(path, chunk=7) == folder.file_sha256(path)
    assert len(folder.file_sha256(path)) == 64
