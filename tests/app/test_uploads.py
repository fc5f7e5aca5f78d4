import base64

import pytest

from workbench.app import uploads


def data_url(data: bytes, kind: str = "application/json") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_save_upload_keeps_the_bytes_under_a_safe_name():
    token, path = uploads.save_upload(data_url(b'{"routes": []}'), "../../etc/my plan.json")
    assert path.read_bytes() == b'{"routes": []}'
    assert path.name == "my_plan.json"
    assert path.parent == uploads.folder_of(token)


@pytest.mark.parametrize("name, expected", [
    ("plan.csv", "plan.csv"), ("C:\\Users\\me\\plan.csv", "C__Users_me_plan.csv"),
    ("..", "upload"), (None, "upload"), ("方案.json", "方案.json"), ("a b;rm.json", "a_b_rm.json"),
])
def test_safe_name(name, expected):
    assert uploads.safe_name(name) == expected


@pytest.mark.parametrize("token", [None, 42, "", "../x", "0" * 31, "g" * 32, "0" * 32])
def test_folder_of_rejects_anything_but_a_live_token(token):
    assert uploads.folder_of(token) is None


@pytest.mark.parametrize("contents, message", [
    (None, "did not contain a file"),
    ("not a data url", "did not contain a file"),
    ("data:text/plain,abc", "did not contain a file"),
    ("data:application/json;base64,@@@", "damaged"),
])
def test_bad_uploads_are_explained(contents, message):
    with pytest.raises(uploads.UploadError, match=message):
        uploads.decode_contents(contents)


def test_too_large_upload_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(uploads.UploadError, match="larger than"):
        uploads.decode_contents(data_url(b"x" * 100))


def test_empty_file_is_stored():
    _, path = uploads.save_upload(data_url(b""), "plan.json")
    assert path.read_bytes() == b""
