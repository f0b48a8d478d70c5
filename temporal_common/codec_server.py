"""A codec server for the Temporal UI: decodes (and encodes) payloads so that an operator can read
them. Loopback only, and CORS for the UI's origins only: by default the Temporal UI's URL under
each loopback name (PARTNERWATCH_TEMPORAL_UI_URL), or PARTNERWATCH_CODEC_UI_ORIGINS, or --ui-origin.

    python -m temporal_common.codec_server --port 8081
    temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8081
"""

from __future__ import annotations

import argparse

import uvicorn
from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads

from config import KeySet, get_settings
from temporal_common.codec import EncryptionCodec


def create_app(keys: KeySet, ui_origins: list[str]) -> Starlette:
    codec = EncryptionCodec(keys)
    allowed = {origin.rstrip("/") for origin in ui_origins}

    def cors(response: Response, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Namespace"
            response.headers["Vary"] = "Origin"
        return response

    def handler(encode: bool):
        async def handle(request: Request) -> Response:
            if request.method == "OPTIONS":
                return cors(Response(status_code=204 if request.headers.get("origin") in allowed else 403), request)
            payloads = json_format.Parse(await request.body(), Payloads())
            done = await (codec.encode if encode else codec.decode)(payloads.payloads)
            body = json_format.MessageToDict(Payloads(payloads=done))
            return cors(JSONResponse(body), request)

        return handle

    return Starlette(routes=[Route("/encode", handler(True), methods=["POST", "OPTIONS"]),
                             Route("/decode", handler(False), methods=["POST", "OPTIONS"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--ui-origin", action="append", default=None,
                        help="An origin the Temporal UI is opened from (repeat for more); default from settings")
    args = parser.parse_args()
    settings = get_settings()
    uvicorn.run(create_app(settings.codec_keys(), args.ui_origin or settings.ui_origins), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
