"""AWS Lambda's entry point: the FastAPI app of service.py, wrapped by Mangum.

Mangum turns an API Gateway event (REST API v1 or HTTP API v2), a function URL's or an
Application Load Balancer's into an ASGI request, and the app's response back into the
event's answer. The model loads once, when Lambda imports this module (the cold start);
every invocation of the same execution environment reuses it. Lambda's image runs
``CMD ["lambda_handler.handler"]`` (see the Dockerfile).
"""

from mangum import Mangum
from service import create_app

handler = Mangum(create_app(), lifespan="off")
