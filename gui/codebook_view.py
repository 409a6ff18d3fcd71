"""The codebook panel: a tree of codes with frequencies, nesting by drag-and-drop, actions."""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QSplitter,
    QStyle,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gui.action_bar import ActionBar
from gui.context_menu import context_menu
from gui.fit import WrapDelegate, wrapped
from gui.keyboard import tab_in_order
from gui.links_box import LinksBox
from gui.menu_keys import menu_name
from gui.models.codes import CodeTreeModel
from gui.qtcompat import emit
from storage.codebook.links import Link
from storage.core.models import Code


class CodeNameDelegate(WrapDelegate):
    """A code's name wrapped at its spaces onto more lines when its column is narrower (a word
    alone too long for it elided): in the codebook's 230 px at 1024x700 names of three words
    were elided in the middle, "Доверие …ударству", "Электр…льство", cut mid-word in the
    panel coders code from. The row is as tall as the name's lines; painted as
    ``WrapDelegate`` paints a wrapped cell, right of the colour swatch."""

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self.tree = tree

    @staticmethod
    def _text_rect(option: QStyleOptionViewItem) -> QRect:
        """Where the name goes: right of the colour swatch, as Qt lays the item out."""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        element = QStyle.SubElement.SE_ItemViewItemText
        return style.subElementRect(element, option, widget).adjusted(2, 0, -2, 0)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        tree = self.tree
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        indent = tree.indentation() * (depth + (1 if tree.rootIsDecorated() else 0))
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = QRect(0, 0, max(1, tree.columnWidth(0) - indent), hint.height())
        width = self._text_rect(opt).width()
        _layout, tall = wrapped(opt.text, opt.font, width)
        return QSize(hint.width(), max(hint.height(), tall + 4))


class CodeTree(QTreeView):
    """Drag codes onto segments (to code) or onto other codes (to nest); Enter codes the
    transcript's selection with the current code (the keyboard's double-click)."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        # a long name wraps at its spaces (its row as tall as its lines): siblings sharing
        # their first words ("Доверие к местной власти, недоверие к акимату" / "…, жалобы на
        # полицию") read whole and apart in a laptop's dock; a word too long for the column is
        # elided in the middle; the tooltip has the whole path
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setWordWrap(True)
        self.setItemDelegateForColumn(0, CodeNameDelegate(self))
        self._relayout = QTimer(self)  # the rows' heights again for the column's new width
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self.doItemsLayout)
        self.header().sectionResized.connect(
            lambda column, _old, _new: self._relayout.start() if column == 0 else None
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
        ):
            emit(self.enter_pressed, self.currentIndex())
            return
        super().keyPressEvent(event)


class CodebookPanel(QWidget):
    """The codebook; the window connects the signals to undoable commands."""

    apply_requested = Signal(str)  # code id: code the current selection
    add_requested = Signal(object)  # parent code id or None
    recolour_requested = Signal(str)
    describe_requested = Signal(str)
    merge_requested = Signal(str)
    delete_requested = Signal(str)
    memo_requested = Signal(str)
    pin_requested = Signal(str)
    retrieve_requested = Signal(str)
    link_requested = Signal(str)  # code id: link it to something
    unlink_requested = Signal(object)  # the ``Link`` to remove

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CodeTreeModel(self)
        self.tree = CodeTree(self)
        self.tree.setModel(self.model)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.enter_pressed.connect(self._double_clicked)
        context_menu(self.tree, self._fill_context_menu)  # its items lettered

        self.act_new = self._action("New code", self._new_top, "Ctrl+Shift+N")
        self.act_sub = self._action("Sub-code", self._new_sub)
        self.act_rename = self._action("Rename", self._rename, "F2")
        self.act_colour = self._action("Colour…", lambda: self._emit(self.recolour_requested))
        self.act_describe = self._action("Describe…", lambda: self._emit(self.describe_requested))
        self.act_merge = self._action("Merge into…", lambda: self._emit(self.merge_requested))
        self.act_delete = self._action(
            "Delete", lambda: self._emit(self.delete_requested), "Delete"
        )
        self.act_memo = self._action("Memo…", lambda: self._emit(self.memo_requested))
        self.act_pin = self._action("Pin to key…", lambda: self._emit(self.pin_requested))
        self.act_retrieve = self._action(
            "Retrieve segments", lambda: self._emit(self.retrieve_requested)
        )
        self.act_link = self._action("Add link…", lambda: self._emit(self.link_requested))
        self.act_unlink = self._action("Remove link", self._unlink)
        self.act_link.setToolTip("Link the selected code to another code (“is cause of”)")
        self.act_unlink.setToolTip("Remove the link selected in the Links list")
        # the selected code's links, both ways, under the tree
        self.links = LinksBox(self.act_link, self.act_unlink, self)
        # every action in sight: on two rows or three when the panel is narrow (a laptop)
        self.toolbar = ActionBar(
            [
                self.act_new,
                self.act_sub,
                self.act_rename,
                self.act_colour,
                self.act_describe,
                self.act_merge,
                self.act_delete,
            ],
            self,
        )
        self.act_rename.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_expand_all = QAction("Expand all", self)
        self.act_expand_all.triggered.connect(self.expand_all)
        self.act_collapse_all = QAction("Collapse all", self)
        self.act_collapse_all.triggered.connect(self.collapse_all)
        # the branches the user closed stay closed when the codebook is read again (after a
        # coding, a new code): every other branch opens, new ones included
        self.collapsed_ids: set[str] = set()
        self._restoring = False
        self.tree.collapsed.connect(lambda index: self._remember(index, collapsed=True))
        self.tree.expanded.connect(lambda index: self._remember(index, collapsed=False))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.links)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter)
        # Tab as the panel reads: its tool bar (made after the tree and the links) was reached
        # after Add link, from the bottom of the panel back to its top
        tab_in_order(
            [*self.toolbar.buttons, self.tree, self.links.view, *self.links.buttons.buttons]
        )
        # the actions on "the selected code" are greyed out while no code is selected (they
        # would do nothing, and Sub-code would quietly make a top-level code)
        self.code_actions = [
            self.act_sub,
            self.act_rename,
            self.act_colour,
            self.act_describe,
            self.act_merge,
            self.act_delete,
            self.act_memo,
            self.act_pin,
            self.act_retrieve,
            self.act_link,
        ]
        tips = {
            self.act_sub: "A new code under the selected code",
            self.act_rename: "Rename the selected code",
            self.act_colour: "Change the selected code's colour",
            self.act_describe: "Describe the selected code (its definition)",
            self.act_merge: "Merge the selected code into another",
            self.act_delete: "Delete the selected code",
        }
        for act, tip in tips.items():
            act.setToolTip(tip)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self.update_actions())
        for signal in (self.model.modelReset, self.model.rowsRemoved, self.model.rowsInserted):
            signal.connect(lambda *_: self.update_actions())
        self.update_actions()

    def update_actions(self) -> None:
        """Enable the actions on the selected code only while a code is selected; Expand all
        and Collapse all only while a code has sub-codes (else they did nothing)."""
        code = self.current_code()
        has_code = code is not None
        for act in self.code_actions:
            act.setEnabled(has_code)
        self.links.show_code(code.id if code else None, code.name if code else None)
        model = self.model
        branches = any(model.rowCount(model.index(r, 0)) for r in range(model.rowCount()))
        self.act_expand_all.setEnabled(branches)
        self.act_collapse_all.setEnabled(branches)

    def _remember(self, index: QModelIndex, *, collapsed: bool) -> None:
        if self._restoring:
            return
        code = self.model.code(index)
        if code is None:
            return
        if collapsed:
            self.collapsed_ids.add(code.id)
        else:
            self.collapsed_ids.discard(code.id)

    def restore_expansion(self) -> None:
        """After the codes were read again: open every branch but those the user closed."""
        self._restoring = True
        try:
            self.tree.expandAll()
            for code_id in list(self.collapsed_ids):
                index = self.model.index_of(code_id)
                if index.isValid():
                    self.tree.collapse(index)
        finally:
            self._restoring = False

    def expand_all(self) -> None:
        """Open every branch (and forget the closed ones)."""
        self.collapsed_ids.clear()
        self.restore_expansion()

    def collapse_all(self) -> None:
        """Close every branch (they stay closed until opened)."""
        self._restoring = True
        try:
            self.tree.collapseAll()
        finally:
            self._restoring = False
        self.collapsed_ids = {code.id for code in self.model.codes()}

    def _action(self, text: str, slot: object, shortcut: str | None = None) -> QAction:
        act = QAction(text, self)
        act.triggered.connect(slot)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(act)
        return act

    def current_code(self) -> Code | None:
        """The selected code."""
        return self.model.code(self.tree.currentIndex())

    def select_code(self, code_id: str, *, reveal: bool = True) -> None:
        """Make a code current (``reveal``: open its branch and scroll to it; not when the
        codebook is read again, where a branch the user closed stays closed)."""
        index = self.model.index_of(code_id)
        if not index.isValid():
            return
        if reveal:
            self.tree.setCurrentIndex(index)
            return
        auto = self.tree.hasAutoScroll()
        self.tree.setAutoScroll(False)  # scrolling to it would expand its parents
        try:
            self.tree.setCurrentIndex(index)
        finally:
            self.tree.setAutoScroll(auto)

    def set_links(self, links: list[Link]) -> None:
        """Every link of the project (read with the codebook); the selected code's are shown."""
        self.links.model.load(links)

    def _unlink(self) -> None:
        link = self.links.current_link()
        if link is not None:
            emit(self.unlink_requested, link)

    def _emit(self, signal: SignalInstance) -> None:
        code = self.current_code()
        if code is not None:
            emit(signal, code.id)

    def _new_top(self) -> None:
        emit(self.add_requested, None)

    def _new_sub(self) -> None:
        code = self.current_code()
        emit(self.add_requested, code.id if code else None)

    def _rename(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.edit(index.siblingAtColumn(0))

    def _double_clicked(self, index: QModelIndex) -> None:
        code = self.model.code(index)
        if code is not None:
            emit(self.apply_requested, code.id)

    def _fill_context_menu(self, menu: QMenu) -> None:
        code = self.current_code()
        if code is not None:
            name = menu_name(code.name)  # a name's "&" is no underlined letter; cut if long
            apply = menu.addAction(f"Code the selection with “{name}”")
            apply.triggered.connect(lambda: emit(self.apply_requested, code.id))
            menu.addAction(self.act_retrieve)
            menu.addSeparator()
        menu.addAction(self.act_new)
        if code is not None:
            for act in (
                self.act_sub,
                self.act_rename,
                self.act_colour,
                self.act_describe,
                self.act_memo,
                self.act_pin,
                self.act_link,
                self.act_merge,
                self.act_delete,
            ):
                menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.act_expand_all)
        menu.addAction(self.act_collapse_all)
