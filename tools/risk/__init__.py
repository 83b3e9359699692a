"""Business risk: daily metric series, IQR anomaly detection, risk assessments and risk alerts."""
