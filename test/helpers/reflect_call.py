# A grpcurl stand-in on Python's own gRPC and protobuf (Debian python3-grpcio, python3-protobuf):
# learns every type through server reflection, loads it into a strict DescriptorPool, and calls with
# protobuf JSON. Usage: reflect_call.py BOOT_SET ADDRESS list | ADDRESS METHOD JSON
# BOOT_SET is protoc's descriptor set of the reflection protocol itself (grpcurl compiles it in).
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def message_class(pool, name):
    desc = pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def main():
    boot_path, address, verb = sys.argv[1], sys.argv[2], sys.argv[3]
    boot = descriptor_pool.DescriptorPool()
    for f in descriptor_pb2.FileDescriptorSet.FromString(open(boot_path, "rb").read()).file:
        boot.Add(f)
    Req = message_class(boot, "grpc.reflection.v1.ServerReflectionRequest")
    Res = message_class(boot, "grpc.reflection.v1.ServerReflectionResponse")
    channel = grpc.insecure_channel(address)
    info = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=Req.SerializeToString,
        response_deserializer=Res.FromString,
    )

    def ask(**fields):
        [answer] = list(info(iter([Req(**fields)])))
        if answer.HasField("error_response"):
            raise SystemExit("reflection error: %s" % answer.error_response.error_message)
        return answer

    if verb == "list":
        for s in sorted(x.name for x in ask(list_services="").list_services_response.service):
            print(s)
        return

    service, method = verb.replace("/", ".").rsplit(".", 1)
    files = {}
    pending = [("symbol", service)]
    while pending:
        kind, what = pending.pop()
        answer = ask(file_containing_symbol=what) if kind == "symbol" else ask(file_by_filename=what)
        for raw in answer.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[fd.name] = fd
        pending += [("file", d) for fd in list(files.values()) for d in fd.dependency if d not in files and ("file", d) not in pending]

    # The pool checks each file as protoc would (map entries, names, imports): dependencies first.
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in files[name].dependency:
            add(dep)
        pool.Add(files[name])
        added.add(name)

    for name in sorted(files):
        add(name)
    m = pool.FindServiceByName(service).FindMethodByName(method)
    ReqT = message_class(pool, m.input_type.full_name)
    ResT = message_class(pool, m.output_type.full_name)
    request = json_format.Parse(sys.argv[4] if len(sys.argv) > 4 else "{}", ReqT())
    call = channel.unary_unary("/%s/%s" % (service, method), request_serializer=ReqT.SerializeToString, response_deserializer=ResT.FromString)
    print(json.dumps(json_format.MessageToDict(call(request, timeout=10))))


main()
