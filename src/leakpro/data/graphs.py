"""Built-in molecular graph dataset ``nci_tpsa`` (optional: ``pip install leakpro[graphs]``).

Molecules from RDKit's bundled ``Data/NCI/first_5K.smi`` (the first 5,000 structures of the NCI/DTP open
compound set, as shipped with RDKit; public domain US-government data, RDKit itself BSD-3-Clause); read offline,
nothing is downloaded. The label is whether a molecule's topological polar surface area (TPSA, computed with
RDKit) is above the median over the kept molecules.

The membership core carries fixed-size arrays, so each molecule (at most ``MAX_ATOMS`` heavy atoms; larger
ones are dropped) is a padded array: ``MAX_ATOMS × ATOM_FEATURES`` node features then the flattened
``MAX_ATOMS × MAX_ATOMS`` adjacency, zeros beyond the molecule's atoms. The registered ``gnn`` unpacks it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, optional_module, register_dataset

MAX_ATOMS = 40
ELEMENTS = (6, 7, 8, 9, 15, 16, 17, 35, 53)  # C N O F P S Cl Br I; anything else is "other"
ATOM_FEATURES = len(ELEMENTS) + 4  # element one-hot + other, degree/4, aromatic, hydrogens/4
GRAPH_FEATURES = MAX_ATOMS * ATOM_FEATURES + MAX_ATOMS * MAX_ATOMS
CLASSES = ("TPSA at or below median", "TPSA above median")


def _rdkit_smiles_path() -> Path:
    rdconfig = optional_module("rdkit.RDConfig", "nci_tpsa", "rdkit", "graphs")
    return Path(rdconfig.RDDataDir) / "NCI" / "first_5K.smi"


def molecule_array(mol: object) -> np.ndarray | None:
    """One RDKit molecule as a padded (GRAPH_FEATURES,) float32 array, or None when it has too many atoms."""
    from rdkit import Chem

    assert isinstance(mol, Chem.Mol)
    n = mol.GetNumAtoms()
    if n == 0 or n > MAX_ATOMS:
        return None
    nodes = np.zeros((MAX_ATOMS, ATOM_FEATURES), dtype=np.float32)
    for atom in mol.GetAtoms():
        i, z = atom.GetIdx(), atom.GetAtomicNum()
        nodes[i, ELEMENTS.index(z) if z in ELEMENTS else len(ELEMENTS)] = 1.0
        nodes[i, -3] = atom.GetDegree() / 4.0
        nodes[i, -2] = float(atom.GetIsAromatic())
        nodes[i, -1] = atom.GetTotalNumHs() / 4.0
    adjacency = np.zeros((MAX_ATOMS, MAX_ATOMS), dtype=np.float32)
    for bond in mol.GetBonds():
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        adjacency[a, b] = adjacency[b, a] = 1.0
    return np.concatenate([nodes.ravel(), adjacency.ravel()])


def load_nci_tpsa(limit: int | None = None) -> Dataset:
    """RDKit's NCI first-5K molecules (≤ MAX_ATOMS atoms) as padded graph arrays, labelled TPSA > median."""
    path = _rdkit_smiles_path()
    from rdkit import Chem, RDLogger
    from rdkit.Chem import rdMolDescriptors

    RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]
    rows: list[np.ndarray] = []
    tpsa: list[float] = []
    for line in path.read_text().splitlines():
        parts = line.split()
        mol = Chem.MolFromSmiles(parts[0]) if parts else None
        if mol is None:
            continue
        array = molecule_array(mol)
        if array is None:
            continue
        rows.append(array)
        tpsa.append(float(rdMolDescriptors.CalcTPSA(mol)))
        if limit is not None and len(rows) >= limit:
            break
    values = np.asarray(tpsa)
    labels = (values > np.median(values)).astype(np.int64)
    return Dataset("nci_tpsa", np.stack(rows), labels, CLASSES)


register_dataset(BuiltinDataset(
    name="nci_tpsa",
    description=f"molecules from RDKit's NCI first-5K set (≤ {MAX_ATOMS} atoms) as padded graphs, labelled "
                "TPSA above the median; optional: pip install 'leakpro[graphs]'",
    licence="public domain (NCI/DTP open compound set, US government) as bundled by RDKit (BSD-3-Clause); "
            "optional extra, not shipped with LeakPro",
    load=load_nci_tpsa,
    recipe={"model": "gnn", "params": {"hidden": 128}, "epochs": 100, "batch_size": 32, "lr": 3e-3},
))
