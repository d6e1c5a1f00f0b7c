// Registers the GearCutter class on the addon's exports (called from the addon's Init).
#ifndef FLOE_REPO_GEAR_CUTTER_BINDING_H_
#define FLOE_REPO_GEAR_CUTTER_BINDING_H_

#include <napi.h>

namespace floe {
namespace repo {

void register_gear_cutter(Napi::Env env, Napi::Object exports);

}  // namespace repo
}  // namespace floe

#endif  // FLOE_REPO_GEAR_CUTTER_BINDING_H_
