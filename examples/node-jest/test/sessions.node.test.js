/**
 * @jest-environment py-apm-emulator/jest-environment-node
 */
// No DOM needed: Jest's Node environment with py-apm on its global.
test("a session, its context and the error a bad call gets", async () => {
  const id = await Microsoft.Apm.createSession({ templateName: "msdyn_chat_session", sessionContext: { customerName: "Contoso" } });
  const context = await Microsoft.Apm.getSession(id).getContext();
  expect(context.get("customerName")).toBe("Contoso");
  await expect(Microsoft.Apm.focusTab("tab-id-99")).rejects.toMatchObject({ errorCode: 404 });
});
