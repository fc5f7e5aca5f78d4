"""Human labels of the welding data (variables, shifts, log sources), marked for the
translation catalogue; show them with ``t(VARIABLE_LABELS[name])``."""

from __future__ import annotations

from workbench.i18n import N_

VARIABLE_LABELS = {
    "z1_pv": N_("Zone 1 reading"), "z2_pv": N_("Zone 2 reading"), "z3_pv": N_("Zone 3 reading"),
    "z4_pv": N_("Zone 4 reading"), "z5_pv": N_("Zone 5 reading"), "z6_pv": N_("Zone 6 reading"),
    "z7_pv": N_("Zone 7 reading"), "conv_cm_min": N_("Conveyor speed"), "o2_ppm": N_("Oxygen (ppm)"),
    "paste_pct": N_("Paste volume (%)"), "rh_pct": N_("Humidity (%)"), "none": N_("None"),
    "paste_lot": N_("Paste lot"), "operator": N_("Crew (operator)"),
} | {f"z{k}_sp": f"Zone {k} set point" for k in range(1, 8)}  # "Zone 1 set point"... in the .po
SHIFT_LABELS = {"D": N_("Day shift"), "E": N_("Evening shift"), "N": N_("Night shift")}
SOURCE_LABELS = {"aoi": N_("AOI results"), "env": N_("Environment logger"), "mes": N_("MES traveller"),
                 "oven": N_("Oven logs"), "shift_reports": N_("Shift reports (Excel)"),
                 "spi": N_("Solder paste inspection")}

UNIT_WORDS = (N_("conveyor speeds from mm/s to cm/min"), N_("SPI volumes from ratio to percent"))
