"""An import-linter contract type for what the built-in ones cannot say.

import-linter forbids whole external packages only ("PySide6"), but the
document layer may use QtCore and QtGui (signals, the undo stack) while
having no widgets. This contract reads the import lines the graph records
and refuses the named submodules of an external package.
"""
from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class ForbiddenSubmoduleContract(Contract):
    """Source packages must not import the listed submodules of external packages (e.g. PySide6.QtWidgets)."""

    source_modules = fields.ListField(subfield=fields.StringField())
    forbidden_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        violations = []
        for source in self.source_modules:
            modules = {source} | graph.find_descendants(source)
            for module in sorted(modules):
                for forbidden in self.forbidden_modules:
                    package, _, sub = forbidden.partition(".")
                    if package not in graph.find_modules_directly_imported_by(module):
                        continue
                    for detail in graph.get_import_details(importer=module, imported=package):
                        line = detail["line_contents"]
                        imported = f"from {package} import" in line and sub in line.split("import", 1)[1]
                        if forbidden in line or imported:
                            violations.append(f"{module}:{detail['line_number']} {line.strip()}")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(violation)
            output.new_line()
