"""What operating the service needs: health probes (`health`, `readiness`), Prometheus
metrics (`metrics`), request ids and log lines (`logs`), the API documentation served by the
service itself (`docs`), live streams that end at shutdown (`shutdown`); `wiring` adds them
to an app.

Nothing is imported here: a worker process configures its logging (`logs`) before it
imports the app, and must answer its supervisor's health checks meanwhile."""
