"""Pinned download locations of the official ACD/CLD CSVs.

The CSVs are published in the ADIFF repository (MIT licence). Files pinned here were checked
against copies of that commit; a file with ``sha256=None`` is listed in the official README but no
copy was available to pin — ``data fetch`` downloads it from the default branch and reports the
hash it received instead of claiming a verified one.
"""

from __future__ import annotations

from dataclasses import dataclass

OFFICIAL_COMMIT = "f426e958601472d7362c69a723654c20cdd93d51"
BASE_URL = f"https://raw.githubusercontent.com/soham97/ADIFF/{OFFICIAL_COMMIT}/data/"
UNPINNED_BASE_URL = "https://raw.githubusercontent.com/soham97/ADIFF/main/data/"


@dataclass(frozen=True)
class RemoteFile:
    path: str  # relative to the data dir, e.g. "ACD/acd_test_adiff_sentence_answer.csv"
    sha256: str | None

    def url(self, base_url: str | None = None) -> str:
        base = base_url or (BASE_URL if self.sha256 else UNPINNED_BASE_URL)
        return base.rstrip("/") + "/" + self.path


OFFICIAL_FILES: tuple[RemoteFile, ...] = (
    RemoteFile(
        "ACD/acd_test_adiff_fewwords_answer.csv", "68dd431e93e9d0ff483f047471f18d2eade8f4784819b0c1b5cbb86fe906efd8"
    ),
    RemoteFile(
        "ACD/acd_test_adiff_sentence_answer.csv", "f89d8163ac2e731eb46be2559215dc27195743fa45062fc49eac61f4abfcf875"
    ),
    RemoteFile("ACD/acd_test_adiff_detail_answer.csv", None),
    RemoteFile(
        "ACD/acd_val_adiff_fewwords_answer.csv", "65fb12ce008043a0fec7f28312a56e1108ad2312a6659b8eae98e84f2b813c74"
    ),
    RemoteFile(
        "ACD/acd_val_adiff_sentence_answer.csv", "171c9c37b1e35ce709e3d35fb33816f028129e0cf5d88be0bb90b80da12065e3"
    ),
    RemoteFile(
        "ACD/acd_val_adiff_detail_answer.csv", "6c7bd9d7b9ddb22d8198aa7e727406c5a032890abc810b56f9e04535a36093da"
    ),
    RemoteFile(
        "CLD/cld_evaluation_adiff_fewwords_answer.csv",
        "dab31814bd4044f3f28159b80c3e6a2bb9af7e92fb90f51da592f95d75731754",
    ),
    RemoteFile(
        "CLD/cld_evaluation_adiff_sentence_answer.csv",
        "1ccad66292b13905801518fcbc657b586c3900d3bc0ebe59b408a9faaee4a7ee",
    ),
    RemoteFile("CLD/cld_evaluation_adiff_detail_answer.csv", None),
    RemoteFile(
        "CLD/cld_validation_adiff_fewwords_answer.csv",
        "8913dc7e0e516a75dfc396bab626810a58c775fcc0e14a2d2f63ff2ac5b683f9",
    ),
    RemoteFile(
        "CLD/cld_validation_adiff_sentence_answer.csv",
        "258f4c472dd75511097ab638dcc4c95dd5d4ccb6e1349334f50f7301831a1cd4",
    ),
)
