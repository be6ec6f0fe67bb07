#!/usr/bin/python3
"""An ExProto echo handler service in Python, written the way EMQX's public example handlers are.

It serves emqx.exproto.v1.ConnectionUnaryHandler and calls the gateway's ConnectionAdapter with
blocking calls from inside its callbacks:

- OnSocketCreated: Authenticate (clientid = the conn id), Subscribe to echo/<clientid>, StartTimer
  (keepalive 60 s);
- OnReceivedBytes: a line "close" makes it call Close; anything else is published to
  echo/<clientid>;
- OnReceivedMessages: each payload is sent back to the device.

The stubs are generated at test time from exproto.proto (grpc_tools.protoc) into a directory that
must be on PYTHONPATH. Prints "listening on <port>" once it serves.

usage: echo_handler.py [--host HOST] [--port N] [--adapter HOST:PORT]
"""

import argparse
import signal
import sys
from concurrent import futures

import grpc

import exproto_pb2
import exproto_pb2_grpc


def check(response, operation):
    if response.code != exproto_pb2.SUCCESS:
        raise RuntimeError("%s failed: %s %s" % (
            operation, exproto_pb2.ResultCode.Name(response.code), response.message))


class EchoHandler(exproto_pb2_grpc.ConnectionUnaryHandlerServicer):

    def __init__(self, adapter):
        self.adapter = adapter

    def OnSocketCreated(self, request, context):
        conn = request.conn
        clientinfo = exproto_pb2.ClientInfo(
            proto_name="echo", proto_ver="1", clientid=conn, username="python")
        check(self.adapter.Authenticate(
            exproto_pb2.AuthenticateRequest(conn=conn, clientinfo=clientinfo, password="")),
            "Authenticate")
        check(self.adapter.Subscribe(
            exproto_pb2.SubscribeRequest(conn=conn, topic="echo/" + conn, qos=0)), "Subscribe")
        check(self.adapter.StartTimer(
            exproto_pb2.TimerRequest(conn=conn, type=exproto_pb2.KEEPALIVE, interval=60)),
            "StartTimer")
        return exproto_pb2.EmptySuccess()

    def OnReceivedBytes(self, request, context):
        conn = request.conn
        if request.bytes.strip() == b"close":
            check(self.adapter.Close(exproto_pb2.CloseSocketRequest(conn=conn)), "Close")
        else:
            check(self.adapter.Publish(exproto_pb2.PublishRequest(
                conn=conn, topic="echo/" + conn, qos=0, payload=request.bytes)), "Publish")
        return exproto_pb2.EmptySuccess()

    def OnTimerTimeout(self, request, context):
        return exproto_pb2.EmptySuccess()

    def OnReceivedMessages(self, request, context):
        for message in request.messages:
            check(self.adapter.Send(
                exproto_pb2.SendBytesRequest(conn=request.conn, bytes=message.payload)), "Send")
        return exproto_pb2.EmptySuccess()

    def OnSocketClosed(self, request, context):
        print("closed %s: %s" % (request.conn, request.reason), file=sys.stderr, flush=True)
        return exproto_pb2.EmptySuccess()


def main():
    parser = argparse.ArgumentParser(description="ExProto echo handler service")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--adapter", default="127.0.0.1:9100",
                        help="the gateway's ConnectionAdapter, host:port (http:// is accepted)")
    args = parser.parse_args()

    target = args.adapter
    if target.startswith("http://"):
        target = target[len("http://"):]
    channel = grpc.insecure_channel(target)
    adapter = exproto_pb2_grpc.ConnectionAdapterStub(channel)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    exproto_pb2_grpc.add_ConnectionUnaryHandlerServicer_to_server(EchoHandler(adapter), server)
    port = server.add_insecure_port("%s:%d" % (args.host, args.port))
    if port == 0:
        sys.exit("cannot listen on %s:%d" % (args.host, args.port))
    server.start()

    def stop(signum, frame):
        server.stop(grace=1).wait()
        channel.close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("listening on %d" % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
