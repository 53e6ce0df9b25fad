// The ids of the routes a call removed (a replace, a prefix removed, a run of updates), for the
// host to release after the call: one list, grown to the largest such call.

import { realloc, POOL_OTHER } from '../memory/alloc';

let removedList: usize = 0;
let removedCapacity: i32 = 0;

/** Puts `id` at place `index` of the list (0 for a call's first). */
export function listRemoved(index: i32, id: i32): void {
  if (index == removedCapacity) {
    const next = max(1024, removedCapacity * 2);
    removedList = realloc(removedList, <usize>removedCapacity << 2, <usize>next << 2, POOL_OTHER);
    removedCapacity = next;
  }
  store<i32>(removedList + (<usize>index << 2), id);
}

/** Where the list is (it moves when it grows). */
export function removedIds(): usize {
  return removedList;
}
