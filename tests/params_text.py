"""A valid params file of the Lappi pilot, as text: the tests change one thing in it at a time."""

GOOD = """\
pilot_id: lappi
data: data/demo/participants.csv
as_of: 2023-12-31
services:
- Työkykykoordinaattorin ohjaus
goals:
- text: Vähintään 25 % on työssä
  indicator: employment_rate
  horizon: 6
  target: 0.25
- text: Työnantajien tieto vahvistuu
"""
