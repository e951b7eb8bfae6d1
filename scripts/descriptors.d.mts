// Types for scripts/descriptors.mjs, which tests import to rebuild the descriptor set.
export const PROTO_ROOT: string;
export const DESCRIPTORS_MODULE: string;
export function protoFiles(root?: string): string[];
export function buildDescriptorSet(root?: string, files?: string[]): Buffer;
export function descriptorModuleText(bytes: Buffer): string;
