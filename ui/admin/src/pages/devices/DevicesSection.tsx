/** The Devices section: the searchable list at /devices, one device at /devices/:mac. */
import { Route, Routes } from "react-router";
import { NotFoundPage } from "../../app/NotFoundPage.tsx";
import { DeviceListPage } from "./DeviceListPage.tsx";
import { DevicePage } from "./DevicePage.tsx";

export function DevicesSection() {
  return (
    <Routes>
      <Route index element={<DeviceListPage />} />
      <Route path=":mac" element={<DevicePage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
