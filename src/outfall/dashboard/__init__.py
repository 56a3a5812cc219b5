"""The dashboard (概览) and the monthly report (月报): every app's summary part, drawn and written."""
