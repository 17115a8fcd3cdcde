from chalice import Chalice

app = Chalice(app_name="rehearsal-api")


@app.route("/health")
def health() -> dict:
    return {"status": "ok"}
