// gRPC server reflection (grpc.reflection.v1 and v1alpha) over protoc's own descriptors, served
// byte for byte, so grpcurl, protoc and Python's protobuf read the same files protoc wrote.
import * as grpc from '@grpc/grpc-js';
import { FILE_DESCRIPTOR_SET_BASE64 } from '../gen/descriptors.js';
import { DescriptorSet, type DescriptorFile } from './descriptor-set.js';
import { loadPackageDefinition } from './proto.js';

export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
const REFLECTION_PROTOS = ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];

let descriptors: DescriptorSet | undefined;
/** The committed descriptor set (src/gen/descriptors.ts), parsed once. */
export function signetDescriptors(): DescriptorSet {
  descriptors ??= new DescriptorSet(Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64'));
  return descriptors;
}

interface ReflectionRequest {
  host: string;
  message_request?: 'file_by_filename' | 'file_containing_symbol' | 'file_containing_extension' | 'all_extension_numbers_of_type' | 'list_services';
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: { containing_type: string; extension_number: number };
  all_extension_numbers_of_type?: string;
  list_services?: string;
}

/** Adds both reflection services to `server`, listing `services` (the ones actually served). */
export function addReflection(server: Pick<grpc.Server, 'addService'>, services: string[], set = signetDescriptors()): void {
  const pkg = grpc.loadPackageDefinition(loadPackageDefinition(REFLECTION_PROTOS)) as any;
  const listed = [...services, ...REFLECTION_SERVICES].sort();
  for (const missing of listed.filter((s) => !set.fileOfSymbol(s))) throw new Error(`reflection: no descriptor for ${missing}; run npm run gen`);
  const implementation = {
    ServerReflectionInfo(call: grpc.ServerDuplexStream<ReflectionRequest, unknown>) {
      call.on('data', (request: ReflectionRequest) => {
        // Backpressure: a client that asks faster than it reads stops being read, not buffered for.
        if (!call.write({ valid_host: request.host, original_request: request, ...answer(set, listed, request) })) {
          call.pause();
          call.once('drain', () => call.resume());
        }
      });
      call.on('end', () => call.end());
    },
  };
  server.addService(pkg.grpc.reflection.v1.ServerReflection.service, implementation);
  server.addService(pkg.grpc.reflection.v1alpha.ServerReflection.service, implementation);
}

const files = (set: DescriptorSet, file: DescriptorFile) => ({
  file_descriptor_response: { file_descriptor_proto: set.withDependencies(file).map((f) => f.bytes) },
});
const notFound = (what: string) => ({ error_response: { error_code: grpc.status.NOT_FOUND, error_message: `${what} not found` } });

function answer(set: DescriptorSet, services: string[], r: ReflectionRequest): Record<string, unknown> {
  switch (r.message_request) {
    case 'list_services':
      return { list_services_response: { service: services.map((name) => ({ name })) } };
    case 'file_by_filename': {
      const file = set.file(r.file_by_filename ?? '');
      return file ? files(set, file) : notFound('file');
    }
    case 'file_containing_symbol': {
      const file = set.fileOfSymbol(r.file_containing_symbol ?? '');
      return file ? files(set, file) : notFound('symbol');
    }
    case 'file_containing_extension': {
      const e = r.file_containing_extension;
      const file = e && set.fileOfExtension(e.containing_type, e.extension_number);
      return file ? files(set, file) : notFound('extension');
    }
    case 'all_extension_numbers_of_type': {
      const type = r.all_extension_numbers_of_type ?? '';
      if (!set.isMessage(type)) return notFound('type');
      return { all_extension_numbers_response: { base_type_name: type, extension_number: set.extensionNumbers(type) } };
    }
    default:
      return { error_response: { error_code: grpc.status.INVALID_ARGUMENT, error_message: 'no request in the message' } };
  }
}
