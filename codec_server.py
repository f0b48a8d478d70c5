"""A codec server for the Temporal UI: decodes (and encodes) payloads so that an operator can read
them. Loopback only, and CORS for the UI's origin only.

    python codec_server.py --port 8081 --ui-origin http://localhost:8233
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

from payload_codec import EncryptionCodec


def create_app(ui_origin: str) -> Starlette:
    codec = EncryptionCodec()

    def cors(response: Response, request: Request) -> Response:
        if request.headers.get("origin") == ui_origin:
            response.headers["Access-Control-Allow-Origin"] = ui_origin
            response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Namespace"
            response.headers["Vary"] = "Origin"
        return response

    def handler(encode: bool):
        async def handle(request: Request) -> Response:
            if request.method == "OPTIONS":
                return cors(Response(status_code=204 if request.headers.get("origin") == ui_origin else 403), request)
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
    parser.add_argument("--ui-origin", default="http://localhost:8233")
    args = parser.parse_args()
    uvicorn.run(create_app(args.ui_origin), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
