"""From per-article events to assessments of flows across articles: clustering, independent
origins, status history, contradiction, figures and the Admiralty source grade."""
