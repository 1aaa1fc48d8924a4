"""Take the live Playground's work away: the share link, the URL query and "Save model".

:class:`Sharing` is the part of :class:`~micrograd_edu.visualize.live.app.LivePlayground`
behind the export panel's Share and Save buttons: the settings as a URL
query (kept in the served page's address), the link that reopens this exact
task, and the model saved as JSON inside the start folder, never outside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .session import PlaygroundSession
from .task import Goal, query_string, shown
from .views import UrlState

__all__ = ["Sharing"]


class Sharing:
    """Share link, URL query and "Save model" (a mixin of ``LivePlayground``).

    ``folder`` is where "Save model" writes (None: the current folder),
    ``hide`` the controls the student does not see, ``goal`` the challenge.
    """

    session: PlaygroundSession
    hide: tuple[str, ...]
    goal: Goal | None
    folder: Path | None
    url: UrlState
    export_text: widgets.Textarea
    save_path: widgets.Text

    if TYPE_CHECKING:  # the app's, used here

        def show_message(self, text: str, error: bool = True) -> None:
            raise NotImplementedError

    def query(self) -> str:
        """The settings, hidden controls and goal as a URL query (no ``?``)."""
        return query_string(self.session.settings, self.hide, self.goal)

    def share_link(self) -> str:
        """The page's address with every setting: open it to get this exact task.

        In a notebook (not the served page) the address is ``make playground``'s.
        """
        base = (self.url.active and self.url.base) or "http://127.0.0.1:8866/"
        return f"{base}?{self.query()}"

    def _share(self) -> None:
        """Show the link; say so when it cannot hold the data on the plane (your own)."""
        self._show_export(self.share_link())
        if self.session.user_data is not None or self.session.points_edited:
            self.show_message(
                "The link holds the settings, not your own points: it opens the data set "
                f"{self.session.settings.dataset!r}",
                error=False,
            )

    def _show_export(self, text: str) -> None:
        self.export_text.value = text

    def save_target(self, name: str) -> Path:
        """Where "Save model" writes ``name``: a ``.json`` file inside the start folder.

        The page's box cannot reach outside that folder (``..``, an absolute path, ``~``)
        nor overwrite a notebook or a script by a slip of the keyboard; from Python,
        :meth:`PlaygroundSession.save_model` writes anywhere.
        """
        folder = Path(self.folder or Path.cwd()).expanduser().resolve()
        text = name.strip()
        if not text.endswith(".json") or text.endswith("/.json") or text == ".json":
            raise ValueError(f"Save to: a file name ending in .json, got {shown(text)}")
        target = (folder / Path(text).expanduser()).resolve()
        if not target.is_relative_to(folder):
            raise ValueError(
                f"Save to: {shown(text)} is outside the folder {folder}; give a name inside it"
            )
        return target

    def _save(self) -> None:
        target = self.save_target(self.save_path.value)
        try:
            path = self.session.save_model(target)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise ValueError(f"could not save to {target}: {reason}") from None
        self.export_text.value = f"# saved to {path}\n{self.session.torch_code(path)}"
        self.show_message(f"Saved to {path}", error=False)
